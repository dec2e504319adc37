package dev.punctual.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.punctual.schedule.CronSchedule;
import dev.punctual.schedule.Schedule;
import dev.punctual.web.JsonInput;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
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

  /**
   * One fire time as the schedule's zone sees it ({@code local}, with its offset), and whether the
   * DST rule moved it ({@code dst}: {@code GAP}, {@code OVERLAP}, or absent).
   */
  record FireTime(
      Instant at,
      OffsetDateTime local,
      @com.fasterxml.jackson.annotation.JsonInclude(JsonInclude.Include.NON_NULL)
          CronSchedule.DstShift dst) {}

  @PostMapping("/api/v1/schedules/preview")
  Map<String, Object> preview(@RequestBody JsonNode body) {
    JsonInput in = JsonInput.of(body);
    in.allowOnly(Set.of("schedule", "after", "count"), Set.of());
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    Instant after = in.instant("after", false);
    Integer count = in.integer("count", 1, 100);
    JsonInput scheduleIn = in.object("schedule", true);
    Schedule schedule =
        scheduleIn == null ? null : ScheduleReader.read(scheduleIn, after == null ? now : after);
    in.throwIfInvalid();
    List<Instant> times = schedule.preview(after == null ? now : after, count == null ? 10 : count);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("fireTimes", times);
    answer.put("details", times.stream().map(t -> fireTime(schedule, t)).toList());
    return answer;
  }

  private static FireTime fireTime(Schedule schedule, Instant at) {
    if (schedule instanceof CronSchedule cron) {
      return new FireTime(
          at, at.atZone(cron.zone()).toOffsetDateTime(), cron.dstShift(at).orElse(null));
    }
    return new FireTime(at, at.atOffset(ZoneOffset.UTC), null);
  }
}
