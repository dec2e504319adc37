package dev.punctual.schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a job fires: pure functions of time, no I/O. The API's preview and the engine use the same
 * code, so what a client previews is what fires.
 *
 * <p>Every kind may be bounded by {@code notBefore} and {@code notAfter} (inclusive): fire times
 * outside the bounds are dropped, and a schedule past {@code notAfter} has no next fire time.
 */
public sealed interface Schedule permits CronSchedule, IntervalSchedule, OnceSchedule {

  /** The optional inclusive bounds on fire times. */
  Bounds bounds();

  /** The unbounded schedule's first fire time strictly after {@code t}. */
  Optional<Instant> rawNextAfter(Instant t);

  /** The first fire time strictly after {@code t}, within the bounds. */
  default Optional<Instant> nextAfter(Instant t) {
    Instant notBefore = bounds().notBefore();
    Instant from = notBefore != null && t.isBefore(notBefore) ? notBefore.minusNanos(1) : t;
    return rawNextAfter(from).filter(bounds()::allows);
  }

  /**
   * The fire time a job armed at {@code now} waits for: the next one after {@code now}. One-shot
   * schedules override this: their instant is due even when it has already passed, because a
   * one-shot job that never ran still owes its run.
   */
  default Optional<Instant> firstFireTime(Instant now) {
    return nextAfter(now);
  }

  /** Up to {@code count} fire times strictly after {@code after}, in order. */
  default List<Instant> preview(Instant after, int count) {
    List<Instant> times = new ArrayList<>(count);
    Instant t = after;
    while (times.size() < count) {
      Optional<Instant> next = nextAfter(t);
      if (next.isEmpty()) {
        break;
      }
      t = next.get();
      times.add(t);
    }
    return times;
  }

  /** Inclusive bounds; either may be null. */
  record Bounds(Instant notBefore, Instant notAfter) {
    public static final Bounds NONE = new Bounds(null, null);

    public Bounds {
      if (notBefore != null && notAfter != null && notAfter.isBefore(notBefore)) {
        throw new InvalidScheduleException("notAfter", "must not be before notBefore");
      }
    }

    boolean allows(Instant t) {
      return (notBefore == null || !t.isBefore(notBefore))
          && (notAfter == null || !t.isAfter(notAfter));
    }
  }
}
