package dev.punctual.run;

import dev.punctual.audit.AuditAction;
import dev.punctual.audit.AuditLog;
import dev.punctual.db.PgNotifications;
import dev.punctual.definition.Channels;
import dev.punctual.identity.Caller;
import dev.punctual.queue.NewRuns;
import dev.punctual.queue.RunStatus;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.Pagination;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Runs: a job's history, one run, and a manual trigger. Scoped by tenant like jobs. */
@RestController
class RunController {
  private final RunRepository runs;
  private final NewRuns newRuns;
  private final PgNotifications notifications;

  private final AuditLog audit;

  RunController(
      RunRepository runs, NewRuns newRuns, PgNotifications notifications, AuditLog audit) {
    this.audit = audit;
    this.runs = runs;
    this.newRuns = newRuns;
    this.notifications = notifications;
  }

  @GetMapping("/api/v1/jobs/{id}/runs")
  Map<String, Object> list(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @PathVariable String id,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor,
      @RequestParam(required = false) String status) {
    long tenant = caller.requireTenant();
    long jobId = Pagination.parseId(id, "job");
    int size = Pagination.limit(limit);
    Long before = Pagination.decodeCursor(cursor);
    RunStatus wanted = null;
    if (status != null) {
      wanted =
          Arrays.stream(RunStatus.values())
              .filter(s -> s.name().equals(status))
              .findFirst()
              .orElseThrow(
                  () ->
                      ApiProblem.invalid(
                          "status",
                          "must be one of PENDING, RUNNING, RETRYING, SUCCEEDED, FAILED, SKIPPED"));
    }
    if (!runs.jobExists(tenant, jobId)) {
      throw ApiProblem.notFound("No job " + id);
    }
    List<RunView> page = runs.list(tenant, jobId, wanted, before, size + 1);
    String next = null;
    if (page.size() > size) {
      page = page.subList(0, size);
      next = Pagination.encodeCursor(Long.parseLong(page.get(size - 1).id()));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", page);
    body.put("nextCursor", next);
    return body;
  }

  @GetMapping("/api/v1/runs/{runId}")
  RunView get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String runId) {
    long tenant = caller.requireTenant();
    return runs.find(tenant, Pagination.parseId(runId, "run"))
        .orElseThrow(() -> ApiProblem.notFound("No run " + runId));
  }

  @GetMapping("/api/v1/runs/{runId}/attempts")
  Map<String, Object> attempts(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String runId) {
    long tenant = caller.requireTenant();
    long id = Pagination.parseId(runId, "run");
    if (runs.find(tenant, id).isEmpty()) {
      throw ApiProblem.notFound("No run " + runId);
    }
    return Map.of("items", runs.attempts(tenant, id));
  }

  /**
   * Dead letters: the tenant's failed runs across its jobs, most recently failed first. Only {@code
   * FAILED} is listed across jobs (a partial index serves it, so that the other runs, most of the
   * table, pay nothing for this list); a job's runs of any status are at {@code /jobs/{id}/runs}.
   */
  @GetMapping("/api/v1/runs")
  Map<String, Object> failed(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String since,
      @RequestParam(required = false) String until,
      @RequestParam(required = false) String jobId,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor) {
    long tenant = caller.requireTenant();
    if (status != null && !status.equals("FAILED")) {
      throw ApiProblem.invalid(
          "status",
          "must be FAILED: runs are listed across jobs for failures only; list a job's runs of any"
              + " status at /api/v1/jobs/{id}/runs");
    }
    FailedRunsQuery query =
        new FailedRunsQuery(
            QueryValues.instant("since", since),
            QueryValues.instant("until", until),
            jobId == null ? null : QueryValues.id("jobId", jobId));
    if (query.rangeIsEmpty()) {
      throw ApiProblem.invalid("until", "must be after since");
    }
    int size = Pagination.limit(limit);
    FailedRunsQuery.Cursor after = FailedRunsQuery.Cursor.decode(cursor);
    List<RunRepository.FailedRun> page = runs.failed(tenant, query, after, size + 1);
    String next = null;
    if (page.size() > size) {
      page = page.subList(0, size);
      RunRepository.FailedRun last = page.get(size - 1);
      next =
          new FailedRunsQuery.Cursor(last.finishedAt(), Long.parseLong(last.run().id())).encode();
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", page.stream().map(f -> new FailedRunView(f.run(), f.jobName())).toList());
    body.put("nextCursor", next);
    return body;
  }

  /** Fires now, outside the schedule, whatever the overlap policy: 202 with the new run. */
  @PostMapping("/api/v1/jobs/{id}/trigger")
  @Transactional
  public ResponseEntity<RunView> trigger(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
    long tenant = caller.requireTenant();
    long created =
        newRuns
            .manual(tenant, Pagination.parseId(id, "job"))
            .orElseThrow(() -> ApiProblem.notFound("No job " + id));
    RunView run = runs.find(tenant, created).orElseThrow();
    notifications.notify(Channels.RUNS, run.id()); // wakes a worker at commit, on any node
    audit.record(tenant, AuditAction.JOB_TRIGGER, run.jobId(), "run " + run.id());
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create("/api/v1/runs/" + run.id()))
        .body(run);
  }
}
