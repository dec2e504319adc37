package dev.punctual.engine;

import java.time.Instant;

/**
 * The database's clock, read on this node: due times and leases are the database's (nodes' clocks
 * drift), so the local clock is corrected by the offset measured at each heartbeat and claim, and
 * timers run on the monotonic clock.
 */
final class DatabaseClock {
  private final Ticker ticker;
  private volatile long offsetNanos;

  DatabaseClock(Ticker ticker) {
    this.ticker = ticker;
  }

  /**
   * Records the database time {@code databaseNow} read by a statement sent at {@code sentNanos} (a
   * {@link Ticker#nanoTime()}); the statement's midpoint is the best local guess.
   */
  void observe(Instant databaseNow, long sentNanos) {
    long midpoint = (sentNanos + ticker.nanoTime()) / 2;
    long localAtMidpoint = wallNanos() - (ticker.nanoTime() - midpoint);
    offsetNanos = toNanos(databaseNow) - localAtMidpoint;
  }

  Instant now() {
    long nanos = wallNanos() + offsetNanos;
    return Instant.ofEpochSecond(0, nanos);
  }

  /** The {@link Ticker#nanoTime()} at which the database clock shows {@code instant}. */
  long localNanosAt(Instant instant) {
    return ticker.nanoTime() + (toNanos(instant) - toNanos(now()));
  }

  private long wallNanos() {
    return toNanos(ticker.wallTime());
  }

  private static long toNanos(Instant i) {
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
