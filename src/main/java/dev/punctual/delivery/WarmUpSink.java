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
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A target inside this process for the warm-ups of a node's start ({@link DeliveryWarmUp}, the
 * engine's fire warm-up): a sink on the loopback interface, and a deliverer of its own that reaches
 * it through the classes that deliver a run — {@link SecretOpening}, {@link TargetDeliverers},
 * {@link HttpDelivery}.
 *
 * <p>Everything is throwaway: a {@link SecretBox} under a random key (the target's header and the
 * signing secret are sealed with it, so opening them runs as for a tenant's), a random signing
 * secret, and an {@link HttpDelivery} whose egress guard opens only the sink's address (the node's
 * guard, which denies loopback, is not touched). No byte leaves the process's own loopback socket
 * pair.
 */
public final class WarmUpSink implements AutoCloseable {
  private final HttpServer server;
  private final HttpDelivery http;
  private final Deliverer deliverer;
  private final HttpTarget target;
  private final String sealedSigningSecret;
  private final Object arrivals = new Object();
  private long received; // guarded by arrivals

  private WarmUpSink(int inFlight, String version) throws IOException {
    // The JDK's own HTTP server: small, always there, and answering is all a sink does.
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
          }
          synchronized (arrivals) {
            received++;
            arrivals.notifyAll();
          }
        });
    server.start();
    String address = InetAddress.getLoopbackAddress().getHostAddress();
    SecretBox box = new SecretBox(List.of(randomBytes()));
    http = new HttpDelivery(inFlight, version, EgressGuard.of(address + "/32", ""));
    deliverer = new SecretOpening(box, new TargetDeliverers(Map.of(TargetKind.HTTP, http)), http);
    target =
        new HttpTarget(
            "POST",
            "http://" + address + ":" + server.getAddress().getPort() + "/warm-up",
            Map.of("Authorization", box.seal("Bearer warm-up")),
            "{\"warm-up\":true}",
            Duration.ofSeconds(5));
    sealedSigningSecret = box.seal("whsec_" + Base64.getEncoder().encodeToString(randomBytes()));
  }

  /** A sink listening on loopback, and a deliverer with {@code inFlight} connections to it. */
  public static WarmUpSink start(int inFlight, String version) throws IOException {
    return new WarmUpSink(inFlight, version);
  }

  /** Delivers attempts whose target is {@link #target()} (and no other). */
  public Deliverer deliverer() {
    return deliverer;
  }

  /** The sink as an HTTP target, its {@code Authorization} header sealed. */
  public HttpTarget target() {
    return target;
  }

  /** A signing secret sealed as the service stores a tenant's. */
  public String sealedSigningSecret() {
    return sealedSigningSecret;
  }

  /** Requests the sink has answered. */
  public long received() {
    synchronized (arrivals) {
      return received;
    }
  }

  /** Waits until the sink has answered {@code count} requests; false when the time ran out. */
  public boolean awaitReceived(long count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (arrivals) {
      while (received < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        arrivals.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      http.close();
    } finally {
      server.stop(0);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
