package dev.punctual.job;

import dev.punctual.identity.Caller;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.Pagination;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The Jobs API (docs/api.md); every call is a tenant's and sees only that tenant's jobs. */
@RestController
@RequestMapping("/api/v1/jobs")
class JobController {
  static final String MERGE_PATCH = "application/merge-patch+json";
  private static final int MAX_IDEMPOTENCY_KEY = 255;

  private final JobService jobs;

  JobController(JobService jobs) {
    this.jobs = jobs;
  }

  @PostMapping
  ResponseEntity<Object> create(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
      @RequestBody JsonNode body) {
    long tenant = caller.requireTenant();
    if (idempotencyKey != null
        && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
      throw ApiProblem.invalid(
          "Idempotency-Key", "must be 1-" + MAX_IDEMPOTENCY_KEY + " characters");
    }
    JobService.Created created = jobs.create(tenant, body, idempotencyKey);
    if (created.job() == null) { // a replay of the first answer
      String id = created.replayedBody().path("id").asString();
      return ResponseEntity.status(created.status())
          .location(URI.create("/api/v1/jobs/" + id))
          .eTag(IfMatch.etag(created.replayedBody().path("version").asLong()))
          .body(created.replayedBody());
    }
    JobView view = created.job().view();
    return ResponseEntity.created(URI.create("/api/v1/jobs/" + view.id()))
        .eTag(IfMatch.etag(view.version()))
        .body(view);
  }

  @GetMapping
  Map<String, Object> list(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor,
      @RequestParam(required = false) String enabled,
      @RequestParam(required = false) String state,
      @RequestParam(required = false) String namePrefix,
      @RequestParam(name = "label", required = false) List<String> labels) {
    long tenant = caller.requireTenant();
    int size = Pagination.limit(limit);
    JobRepository.ListQuery query =
        new JobRepository.ListQuery(
            Pagination.decodeCursor(cursor),
            parseEnabled(enabled),
            parseState(state),
            namePrefix == null || namePrefix.isEmpty() ? null : queryText("namePrefix", namePrefix),
            parseLabels(labels),
            size + 1);
    List<JobRow> rows = jobs.list(tenant, query);
    String next = null;
    if (rows.size() > size) {
      rows = rows.subList(0, size);
      next = Pagination.encodeCursor(rows.get(size - 1).id());
    }
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("items", rows.stream().map(JobRow::view).toList());
    page.put("nextCursor", next);
    return page;
  }

  @GetMapping("/{id}")
  ResponseEntity<JobView> get(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
    return withETag(jobs.get(caller.requireTenant(), parseId(id)));
  }

  @PutMapping("/{id}")
  ResponseEntity<JobView> replace(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @PathVariable String id,
      @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
      @RequestBody JsonNode body) {
    return withETag(jobs.replace(caller.requireTenant(), parseId(id), body, ifMatch));
  }

  @PatchMapping(
      path = "/{id}",
      consumes = {MERGE_PATCH, "application/json"})
  ResponseEntity<JobView> patch(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @PathVariable String id,
      @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
      @RequestBody JsonNode body) {
    return withETag(jobs.patch(caller.requireTenant(), parseId(id), body, ifMatch));
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
    jobs.delete(caller.requireTenant(), parseId(id));
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/{id}/pause")
  ResponseEntity<JobView> pause(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
    return withETag(jobs.pause(caller.requireTenant(), parseId(id)));
  }

  @PostMapping("/{id}/resume")
  ResponseEntity<JobView> resume(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
    return withETag(jobs.resume(caller.requireTenant(), parseId(id)));
  }

  private static JobState parseState(String state) {
    if (state == null) {
      return null;
    }
    for (JobState s : JobState.values()) {
      if (s.name().equals(state)) {
        return s;
      }
    }
    throw ApiProblem.invalid("state", "must be one of ACTIVE, PAUSED, COMPLETED, BROKEN");
  }

  private static ResponseEntity<JobView> withETag(JobRow row) {
    return ResponseEntity.ok().eTag(IfMatch.etag(row.version())).body(row.view());
  }

  static long parseId(String id) {
    return Pagination.parseId(id, "job");
  }

  private static Boolean parseEnabled(String enabled) {
    if (enabled == null) {
      return null;
    }
    return switch (enabled) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiProblem.invalid("enabled", "must be true or false");
    };
  }

  /** A text query parameter: at most 200 characters and no NUL (PostgreSQL text holds none). */
  private static String queryText(String name, String value) {
    if (value.length() > 200 || value.indexOf('\u0000') >= 0) {
      throw ApiProblem.invalid(name, "must be at most 200 characters, without NUL");
    }
    return value;
  }

  private static Map<String, String> parseLabels(List<String> labels) {
    Map<String, String> result = new LinkedHashMap<>();
    if (labels == null) {
      return result;
    }
    for (String label : labels) {
      queryText("label", label);
      int colon = label.indexOf(':');
      if (colon <= 0) {
        throw ApiProblem.invalid("label", "must be key:value, got '" + label + "'");
      }
      result.put(label.substring(0, colon), label.substring(colon + 1));
    }
    return result;
  }
}
