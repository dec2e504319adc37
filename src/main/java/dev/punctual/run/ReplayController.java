package dev.punctual.run;

import dev.punctual.identity.Caller;
import dev.punctual.web.JsonInput;
import dev.punctual.web.Pagination;
import java.net.URI;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Replays of failed runs: one run, or every failed run a filter matches (docs/api.md). */
@RestController
class ReplayController {
  private final ReplayService replays;

  ReplayController(ReplayService replays) {
    this.replays = replays;
  }

  /** 202 with the new run; 409 when the run is in progress or the job's overlap forbids it. */
  @PostMapping("/api/v1/runs/{runId}/replay")
  ResponseEntity<RunView> replay(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String runId) {
    long tenant = caller.requireTenant();
    RunView replay = replays.replay(tenant, Pagination.parseId(runId, "run"));
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create("/api/v1/runs/" + replay.id()))
        .body(replay);
  }

  /**
   * {@code {"filter": {"status", "since", "until", "jobId"}, "max", "dryRun"}}: 202 with what was
   * replayed, or 200 with what would be (dry run).
   */
  @PostMapping("/api/v1/runs/replay")
  ResponseEntity<ReplayService.BulkResult> replayAll(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody JsonNode body) {
    long tenant = caller.requireTenant();
    JsonInput in = JsonInput.of(body);
    in.allowOnly(Set.of("filter", "max", "dryRun"), Set.of());
    JsonInput filter = in.object("filter", false);
    FailedRunsQuery query = null;
    if (filter != null) {
      filter.allowOnly(Set.of("status", "since", "until", "jobId"), Set.of());
      String status = filter.string("status", false, 16);
      if (status != null && !status.equals("FAILED")) {
        filter.error("status", "must be FAILED: only failed runs are replayed in bulk");
      }
      String jobId = filter.string("jobId", false, 20);
      Long job = null;
      if (jobId != null) {
        try {
          job = Long.parseLong(jobId);
        } catch (NumberFormatException e) {
          filter.error("jobId", "must be a job id");
        }
      }
      query =
          new FailedRunsQuery(filter.instant("since", false), filter.instant("until", false), job);
      if (query.rangeIsEmpty()) {
        filter.error("until", "must be after since");
      }
    }
    Integer max = in.integer("max", 1, ReplayService.MAX_BULK);
    Boolean dryRun = in.bool("dryRun");
    in.throwIfInvalid();
    if (query == null) {
      query = new FailedRunsQuery(null, null, null);
    }
    boolean dry = dryRun != null && dryRun;
    ReplayService.BulkResult result =
        replays.replayAll(tenant, query, max == null ? 100 : max, dry);
    return ResponseEntity.status(dry ? HttpStatus.OK : HttpStatus.ACCEPTED).body(result);
  }
}
