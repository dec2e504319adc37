package dev.punctual.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Fixed rate: fires at {@code startAt + k * interval} for every k >= 0. */
public record IntervalSchedule(Duration interval, Instant startAt, Bounds bounds)
    implements Schedule {

  public IntervalSchedule {
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new InvalidScheduleException("interval", "must be at least PT1S");
    }
  }

  @Override
  public Optional<Instant> rawNextAfter(Instant t) {
    if (t.isBefore(startAt)) {
      return Optional.of(startAt);
    }
    // Duration.dividedBy(Duration) is exact (BigDecimal inside), so far-away startAt values
    // cannot overflow.
    long k = Duration.between(startAt, t).dividedBy(interval) + 1;
    return Optional.of(startAt.plus(interval.multipliedBy(k)));
  }
}
