package dev.punctual.job;

import dev.punctual.schedule.CronExpression;
import dev.punctual.schedule.CronSchedule;
import dev.punctual.schedule.IntervalSchedule;
import dev.punctual.schedule.InvalidScheduleException;
import dev.punctual.schedule.OnceSchedule;
import dev.punctual.schedule.Schedule;
import dev.punctual.web.JsonInput;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Set;

/**
 * The {@code schedule} object of the API: exactly one of {@code cron} (with {@code timezone}),
 * {@code interval} (with {@code startAt}) or {@code at}, and optional {@code notBefore}/{@code
 * notAfter}, read into the schedule model (whose stored form {@code DefinitionCodec} writes).
 */
final class ScheduleReader {
  static final Duration MAX_INTERVAL = Duration.ofDays(3660);
  private static final Set<String> KINDS = Set.of("cron", "interval", "at");
  private static final Set<String> FIELDS =
      Set.of("cron", "timezone", "interval", "startAt", "at", "notBefore", "notAfter");

  private ScheduleReader() {}

  /**
   * Reads {@code in}; returns null (with errors recorded in {@code in}) when it is invalid.
   *
   * @param defaultStartAt the {@code startAt} of an interval schedule that has none
   */
  static Schedule read(JsonInput in, Instant defaultStartAt) {
    in.allowOnly(FIELDS, Set.of());
    long kinds = KINDS.stream().filter(in::has).count();
    if (kinds != 1) {
      in.error("", "must have exactly one of cron, interval or at");
      return null;
    }
    Instant notBefore = in.instant("notBefore", false);
    Instant notAfter = in.instant("notAfter", false);
    if (in.has("timezone") && !in.has("cron")) {
      in.error("timezone", "applies to cron schedules only");
    }
    if (in.has("startAt") && !in.has("interval")) {
      in.error("startAt", "applies to interval schedules only");
    }
    Schedule.Bounds bounds;
    try {
      bounds = new Schedule.Bounds(notBefore, notAfter);
    } catch (InvalidScheduleException e) {
      in.error(e.field(), e.getMessage());
      return null;
    }
    Schedule schedule = null;
    try {
      if (in.has("cron")) {
        String text = in.string("cron", true, 200);
        String zoneText = in.string("timezone", false, 64);
        ZoneId zone = zoneText == null ? ZoneId.of("UTC") : zone(in, zoneText);
        if (text != null && zone != null) {
          schedule = new CronSchedule(CronExpression.parse(text), zone, bounds);
        }
      } else if (in.has("interval")) {
        Duration interval = in.duration("interval", true, Duration.ofSeconds(1), MAX_INTERVAL);
        Instant startAt = in.has("startAt") ? in.instant("startAt", true) : defaultStartAt;
        if (interval != null && startAt != null) {
          schedule = new IntervalSchedule(interval, startAt, bounds);
        }
      } else {
        Instant at = in.instant("at", true);
        if (at != null) {
          schedule = new OnceSchedule(at, bounds);
        }
      }
    } catch (InvalidScheduleException e) {
      in.error(e.field(), e.getMessage());
      return null;
    }
    if (schedule == null || !in.isValid()) {
      return null;
    }
    return schedule;
  }

  /** IANA region ids (and UTC), not fixed offsets or abbreviations. */
  private static ZoneId zone(JsonInput in, String text) {
    if (text.equals("UTC") || ZoneId.getAvailableZoneIds().contains(text)) {
      return ZoneId.of(text);
    }
    in.error("timezone", "'" + text + "' is not an IANA time zone such as Europe/Berlin");
    return null;
  }
}
