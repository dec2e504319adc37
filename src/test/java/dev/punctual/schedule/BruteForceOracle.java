package dev.punctual.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Optional;

/**
 * The trivially correct reading of the cron DST rule (docs/guarantees.md): walk forward over
 * instants, one UTC minute at a time, and ask of each second whether it fires:
 *
 * <ul>
 *   <li>its local time matches and this is the first time the wall clock shows it; or
 *   <li>it is the instant of a forward jump and some skipped local time matches.
 * </ul>
 *
 * It shares only the parsed field sets with the fast code, not the search or the DST mapping.
 * Offsets are whole minutes in every zone after 1972, so minute steps see every transition.
 */
final class BruteForceOracle {
  private final CronExpression cron;
  private final ZoneId zone;
  private final ZoneRules rules;

  BruteForceOracle(CronExpression cron, ZoneId zone) {
    this.cron = cron;
    this.zone = zone;
    this.rules = zone.getRules();
  }

  /** The first fire time strictly after {@code t}, searching no further than {@code horizon}. */
  Optional<Instant> nextAfter(Instant t, Duration horizon) {
    Instant minute = t.truncatedTo(ChronoUnit.MINUTES);
    Instant end = t.plus(horizon);
    ZoneOffsetTransition jump = rules.nextTransition(minute.minusNanos(1));
    while (!minute.isAfter(end)) {
      if (jump != null && jump.getInstant().isBefore(minute)) {
        jump = rules.nextTransition(minute.minusNanos(1));
      }
      // Offsets are whole minutes, so within one UTC minute the local seconds are the UTC ones.
      LocalDateTime local = minute.atZone(zone).toLocalDateTime();
      for (int s = 0; s < 60; s++) {
        Instant candidate = minute.plusSeconds(s);
        if (candidate.isAfter(t) && fires(candidate, local.plusSeconds(s), jump)) {
          return Optional.of(candidate);
        }
      }
      minute = minute.plusSeconds(60);
    }
    return Optional.empty();
  }

  private boolean fires(Instant instant, LocalDateTime local, ZoneOffsetTransition jump) {
    if (cron.matches(local) && isFirstOccurrence(instant, local)) {
      return true;
    }
    if (jump != null && jump.isGap() && jump.getInstant().equals(instant)) {
      for (LocalDateTime skipped = jump.getDateTimeBefore();
          skipped.isBefore(jump.getDateTimeAfter());
          skipped = skipped.plusSeconds(1)) {
        if (cron.matches(skipped)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether no earlier instant showed the same wall-clock time. A repeat is a whole number of
   * minutes earlier (offsets are whole minutes) and at most three hours (no fall-back is longer).
   */
  private boolean isFirstOccurrence(Instant instant, LocalDateTime local) {
    for (int k = 1; k <= 180; k++) {
      if (instant.minusSeconds(60L * k).atZone(zone).toLocalDateTime().equals(local)) {
        return false;
      }
    }
    return true;
  }
}
