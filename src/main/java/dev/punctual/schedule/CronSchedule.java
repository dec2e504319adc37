package dev.punctual.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Optional;

/**
 * A cron expression read in a time zone, with the DST rule of docs/guarantees.md:
 *
 * <ul>
 *   <li>a local time that does not exist (the clock jumps over it) fires at the first instant after
 *       the jump, i.e. the transition instant; several such times on one jump fire once;
 *   <li>a local time that happens twice (the clock falls back) fires once, at its first occurrence.
 * </ul>
 *
 * <p>The mapping local time → instant under that rule never goes backwards, so the next fire after
 * {@code t} is the image of the first matching local time whose image is after {@code t}.
 */
public record CronSchedule(CronExpression cron, ZoneId zone, Bounds bounds) implements Schedule {

  @Override
  public Optional<Instant> rawNextAfter(Instant t) {
    ZoneRules rules = zone.getRules();
    ZonedDateTime zoned = t.atZone(zone);
    LocalDateTime local = zoned.toLocalDateTime();
    // Whole seconds strictly after t: local times up to local(t) map to instants <= t.
    LocalDateTime start = local.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    ZoneOffsetTransition transition = rules.getTransition(local);
    if (transition != null
        && transition.isOverlap()
        && zoned.getOffset().equals(transition.getOffsetAfter())) {
      // t is in the second pass of a repeated hour: the repeated local times fired (or not) in the
      // first pass, so the search starts where the repetition ends.
      LocalDateTime overlapEnd = transition.getDateTimeBefore();
      if (overlapEnd.isAfter(start)) {
        start = overlapEnd;
      }
    }
    return cron.nextMatch(start).map(match -> toInstant(match, rules));
  }

  /** How the DST rule moved a fire time, for the preview: the engine never needs to know. */
  public enum DstShift {
    /** Fires at the end of a jump forward, for local times that the jump skipped. */
    GAP,
    /** A local time that happens twice, fired at its first occurrence only. */
    OVERLAP
  }

  /** Whether {@code fire}, a fire time of this schedule, was moved by the DST rule, and how. */
  public Optional<DstShift> dstShift(Instant fire) {
    ZoneRules rules = zone.getRules();
    ZoneOffsetTransition jump = rules.previousTransition(fire.plusNanos(1));
    if (jump != null && jump.getInstant().equals(fire) && jump.isGap()) {
      Optional<LocalDateTime> skipped = cron.nextMatch(jump.getDateTimeBefore());
      if (skipped.isPresent() && skipped.get().isBefore(jump.getDateTimeAfter())) {
        return Optional.of(DstShift.GAP);
      }
    }
    LocalDateTime local = fire.atZone(zone).toLocalDateTime();
    return rules.getValidOffsets(local).size() > 1
        ? Optional.of(DstShift.OVERLAP)
        : Optional.empty();
  }

  /** The instant a matching local time fires at, under the DST rule. */
  static Instant toInstant(LocalDateTime local, ZoneRules rules) {
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.isEmpty()) {
      return rules.getTransition(local).getInstant(); // in a gap: the instant of the jump
    }
    return local.toInstant(offsets.get(0)); // one offset, or the first of an overlap
  }
}
