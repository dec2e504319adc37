package dev.punctual.overview;

import dev.punctual.identity.Caller;
import dev.punctual.web.ApiProblem;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/overview} and {@code GET /api/v1/jobs/recent-outcomes}, for a tenant key. */
@RestController
class OverviewController {
  static final int MAX_JOBS = 100;
  static final int MAX_PER_JOB = 20;

  private final OverviewQueries queries;

  OverviewController(OverviewQueries queries) {
    this.queries = queries;
  }

  @GetMapping("/api/v1/overview")
  Overview overview(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    return queries.overview(caller.requireTenant());
  }

  /**
   * The outcomes of each listed job's newest runs, newest first; a job of another tenant, or none,
   * answers an empty list like a job without runs (ids are not secrets, but nothing is told).
   */
  @GetMapping("/api/v1/jobs/recent-outcomes")
  Map<String, List<String>> recentOutcomes(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @RequestParam(name = "id", required = false) List<String> ids,
      @RequestParam(required = false) String limit) {
    long tenant = caller.requireTenant();
    if (ids == null || ids.isEmpty()) {
      throw ApiProblem.invalid("id", "is required: one or more job ids (repeat id=)");
    }
    if (ids.size() > MAX_JOBS) {
      throw ApiProblem.invalid("id", "at most " + MAX_JOBS + " job ids at once");
    }
    int perJob = limit == null ? 10 : perJob(limit);
    List<Long> jobIds = ids.stream().map(OverviewController::jobId).distinct().toList();
    return queries.recentOutcomes(tenant, jobIds, perJob);
  }

  private static int perJob(String limit) {
    try {
      int n = Integer.parseInt(limit);
      if (n >= 1 && n <= MAX_PER_JOB) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ApiProblem.invalid("limit", "must be an integer from 1 to " + MAX_PER_JOB);
  }

  private static long jobId(String id) {
    try {
      long value = Long.parseLong(id);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ApiProblem.invalid("id", "must be job ids, as the API gives them");
  }
}
