package dev.punctual.job;

import dev.punctual.identity.Caller;
import dev.punctual.web.JsonInput;
import dev.punctual.web.Pagination;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/jobs/{id}/backfill {"from", "to", "dryRun"}}: 202 with the runs made, or 200
 * with the fire times a real call would make runs for (dry run).
 */
@RestController
class BackfillController {
  private final BackfillService backfills;
  private final Clock clock;

  BackfillController(BackfillService backfills, Clock clock) {
    this.backfills = backfills;
    this.clock = clock;
  }

  @PostMapping("/api/v1/jobs/{id}/backfill")
  ResponseEntity<BackfillService.Result> backfill(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @PathVariable String id,
      @RequestBody JsonNode body) {
    long tenant = caller.requireTenant();
    long jobId = Pagination.parseId(id, "job");
    JsonInput in = JsonInput.of(body);
    in.allowOnly(Set.of("from", "to", "dryRun"), Set.of());
    Instant from = in.instant("from", true);
    Instant to = in.instant("to", true);
    Boolean dryRun = in.bool("dryRun");
    if (from != null && to != null && !to.isAfter(from)) {
      in.error("to", "must be after from");
    } else if (to != null && to.isAfter(clock.instant())) {
      in.error("to", "must not be in the future: fire times to come are the schedule's to make");
    }
    in.throwIfInvalid();
    boolean dry = dryRun != null && dryRun;
    BackfillService.Result result = backfills.backfill(tenant, jobId, from, to, dry);
    return ResponseEntity.status(dry ? HttpStatus.OK : HttpStatus.ACCEPTED).body(result);
  }
}
