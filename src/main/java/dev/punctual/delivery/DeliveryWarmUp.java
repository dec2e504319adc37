package dev.punctual.delivery;

import com.sun.net.httpserver.HttpServer;
import dev.punctual.definition.HttpTarget;
import dev.punctual.definition.TargetKind;
import dev.punctual.secret.SecretBox;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the delivery path before the engine takes its first fires, so that a node's first fires are
 * not delivered by a JVM still compiling that path.
 *
 * <p>Why: measured with {@code -Xlog:jit+compilation} on the service bench (docs/benchmarks.md),
 * the first seconds of fires after a start made the JVM compile 1,000-1,700 methods a second, most
 * of them Apache HttpClient's and the JDK's AES-GCM and HMAC: code that the start and the API never
 * run. On two busy cores that made the first second's fire lag p50 400-700 ms against 5 ms warm,
 * and the first minute's p99 14-53× the warm p99 (about 4× with this warm-up).
 *
 * <p>What: {@code requests} deliveries (32 at a time) through the classes that deliver a run —
 * {@link SecretOpening} (a sealed header and a sealed signing secret opened), {@link
 * TargetDeliverers}, {@link HttpDelivery} (signed, with the usual headers) — to a sink on the
 * loopback interface inside this process. Everything is throwaway: a {@link SecretBox} under a
 * random key, a random signing secret, an {@link HttpDelivery} of its own whose egress guard opens
 * only the sink's address (the service's guard is not touched), and the sink. No byte leaves the
 * process's own loopback socket pair; nothing is written to the database.
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
  public static Result run(int requests, Duration limit, String version)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    // The JDK's own HTTP server: small, always there, and answering is all a sink does.
    HttpServer sink =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    sink.createContext(
        "/",
        exchange -> {
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
          }
        });
    sink.start();
    String address = InetAddress.getLoopbackAddress().getHostAddress();
    SecretBox box = new SecretBox(List.of(randomBytes()));
    try (HttpDelivery http =
        new HttpDelivery(IN_FLIGHT, version, EgressGuard.of(address + "/32", ""))) {
      Deliverer deliverer =
          new SecretOpening(box, new TargetDeliverers(Map.of(TargetKind.HTTP, http)), http);
      HttpTarget target =
          new HttpTarget(
              "POST",
              "http://" + address + ":" + sink.getAddress().getPort() + "/warm-up",
              Map.of("Authorization", box.seal("Bearer warm-up")),
              "{\"warm-up\":true}",
              Duration.ofSeconds(5));
      List<String> signing =
          List.of(box.seal("whsec_" + Base64.getEncoder().encodeToString(randomBytes())));
      Semaphore slots = new Semaphore(IN_FLIGHT);
      AtomicLong delivered = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long deadline = started + limit.toNanos();
      int sent = 0;
      while (sent < requests && System.nanoTime() < deadline) {
        if (!slots.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          break;
        }
        sent++;
        Attempt attempt =
            new Attempt(sent, 0, "warm-up", Instant.now(), 1, target, signing, Map.of());
        deliverer
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
    } finally {
      sink.stop(0);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
