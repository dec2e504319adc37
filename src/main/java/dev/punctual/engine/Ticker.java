package dev.punctual.engine;

import java.time.Instant;

/**
 * The engine's time source: the monotonic clock its timers and deadlines run on, the wall clock it
 * corrects by the database's, and its pauses. The service uses {@link #SYSTEM}; unit tests drive a
 * fake one, so backoffs and plans are tested in microseconds without sleeping.
 */
interface Ticker {
  long nanoTime();

  Instant wallTime();

  void sleep(long millis) throws InterruptedException;

  Ticker SYSTEM =
      new Ticker() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public Instant wallTime() {
          return Instant.now();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
          Thread.sleep(millis);
        }
      };
}
