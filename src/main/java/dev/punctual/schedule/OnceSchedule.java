package dev.punctual.schedule;

import java.time.Instant;
import java.util.Optional;

/** Fires once, at {@code at}. */
public record OnceSchedule(Instant at, Bounds bounds) implements Schedule {

  @Override
  public Optional<Instant> rawNextAfter(Instant t) {
    return at.isAfter(t) ? Optional.of(at) : Optional.empty();
  }

  /** A one-shot job that has not run owes its run even when {@code at} has passed. */
  @Override
  public Optional<Instant> firstFireTime(Instant now) {
    return Optional.of(at).filter(bounds()::allows);
  }
}
