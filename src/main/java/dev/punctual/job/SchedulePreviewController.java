package dev.punctual.job;

import dev.punctual.web.JsonInput;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/schedules/preview}: the same schedule code as the engine, nothing stored. Any
 * valid key may call it (the filter has checked one).
 */
@RestController
class SchedulePreviewController {
  private final Clock clock;

  SchedulePreviewController(Clock clock) {
    this.clock = clock;
  }

  @PostMapping("/api/v1/schedules/preview")
  Map<String, List<Instant>> preview(@RequestBody JsonNode body) {
    JsonInput in = JsonInput.of(body);
    in.allowOnly(Set.of("schedule", "after", "count"), Set.of());
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    Instant after = in.instant("after", false);
    Integer count = in.integer("count", 1, 100);
    JsonInput scheduleIn = in.object("schedule", true);
    dev.punctual.schedule.Schedule schedule =
        scheduleIn == null ? null : ScheduleReader.read(scheduleIn, after == null ? now : after);
    in.throwIfInvalid();
    return Map.of(
        "fireTimes", schedule.preview(after == null ? now : after, count == null ? 10 : count));
  }
}
