package dev.punctual.engine;

import java.time.Clock;
import java.time.Instant;

/**
 * The engine's time source: the monotonic clock its timers and deadlines run on, the wall clock it
 * corrects by the database's, and its pauses. The service uses {@link #of} on its clock; unit tests
 * drive a fake one, so backoffs and plans are tested in microseconds without sleeping.
 */
interface Ticker {
  long nanoTime();

  Instant wallTime();

  void sleep(long millis) throws InterruptedException;

  /** The real one: the JVM's monotonic clock, and {@code clock} (the service's) for wall time. */
  static Ticker of(Clock clock) {
    return new Ticker() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Instant wallTime() {
        return clock.instant();
      }

      @Override
      public void sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
      }
    };
  }
}
