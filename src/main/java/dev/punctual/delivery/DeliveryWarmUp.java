package dev.punctual.delivery;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the delivery path before the engine takes its first fires, so that a node's first fires are
 * not delivered by a JVM still compiling that path.
 *
 * <p>Why: the first fires after a start otherwise run HTTP client, AES-GCM and HMAC code that the
 * start and the API never run, compiled while the fires wait (docs/engine.md, "A node's start").
 *
 * <p>What: {@code requests} deliveries (32 at a time) to a {@link WarmUpSink} (a sink on the
 * loopback interface inside this process, reached through the classes that deliver a run, with a
 * sealed header and a sealed signing secret to open). It runs before the database is up: nothing is
 * written to it. The engine's own path (claims, fires, outcomes) is warmed after the migrations by
 * the engine's fire warm-up.
 */
public final class DeliveryWarmUp {
  private static final int IN_FLIGHT = 32;

  /** What a warm-up did: requests answered by the sink, and how long it took. */
  public record Result(int delivered, int failed, Duration took) {}

  private DeliveryWarmUp() {}

  /**
   * Delivers up to {@code requests} requests to a sink of its own, stopping early at {@code limit};
   * returns when every request sent has its outcome.
   */
  public static Result run(int requests, Duration limit, String version, Clock clock)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    try (WarmUpSink sink = WarmUpSink.start(IN_FLIGHT, version)) {
      Semaphore slots = new Semaphore(IN_FLIGHT);
      AtomicLong delivered = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      List<String> signing = List.of(sink.sealedSigningSecret());
      long deadline = started + limit.toNanos();
      int sent = 0;
      while (sent < requests && System.nanoTime() < deadline) {
        if (!slots.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          break;
        }
        sent++;
        Instant now = clock.instant();
        Attempt attempt =
            new Attempt(sent, 0, "warm-up", now, 1, now, sink.target(), signing, Map.of());
        sink.deliverer()
            .send(attempt)
            .whenComplete(
                (result, error) -> {
                  if (error == null && result.outcome() == AttemptResult.Outcome.SUCCESS) {
                    delivered.incrementAndGet();
                  } else {
                    failed.incrementAndGet();
                  }
                  slots.release();
                });
      }
      // Every request sent has its outcome (each is bounded by the target's 5 s timeout).
      slots.acquire(IN_FLIGHT);
      return new Result(
          (int) delivered.get(), (int) failed.get(), Duration.ofNanos(System.nanoTime() - started));
    }
  }
}
