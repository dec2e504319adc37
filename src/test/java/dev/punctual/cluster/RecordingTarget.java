package dev.punctual.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.punctual.support.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The jobs' HTTP target: records every request it receives (run id, Idempotency-Key, attempt,
 * arrival), and can be taken down (connections refused), made slow, and brought back on the same
 * port. A slow answer is sent by a scheduler when its time comes: no server thread waits for it.
 */
final class RecordingTarget implements AutoCloseable {
  record Delivery(
      String runId,
      String idempotencyKey,
      String webhookId,
      String jobId,
      Instant scheduledFor,
      int attempt,
      Instant arrivedAt) {}

  final int port = Ports.free();
  private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
  private volatile long delayMillis;
  private HttpServer server;

  RecordingTarget() {
    up();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Listening again (on the same port), answering at once. */
  synchronized void up() {
    delayMillis = 0;
    if (server != null) {
      return;
    }
    try {
      server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Not listening: connections are refused. */
  synchronized void down() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  /** Listening, but every answer takes {@code millis}. */
  void slow(long millis) {
    up();
    delayMillis = millis;
  }

  List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  void clear() {
    deliveries.clear();
  }

  private void handle(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    var h = exchange.getRequestHeaders();
    deliveries.add(
        new Delivery(
            h.getFirst("X-Punctual-Run-Id"),
            h.getFirst("Idempotency-Key"),
            h.getFirst("webhook-id"),
            h.getFirst("X-Punctual-Job-Id"),
            Instant.parse(h.getFirst("X-Punctual-Scheduled-For")),
            Integer.parseInt(h.getFirst("X-Punctual-Attempt")),
            Instant.now()));
    long delay = delayMillis;
    if (delay > 0) {
      later.schedule(() -> answer(exchange), delay, TimeUnit.MILLISECONDS);
    } else {
      answer(exchange);
    }
  }

  /** 204, ending the exchange; a client that gave up meanwhile is not the target's concern. */
  private static void answer(HttpExchange exchange) {
    try (exchange) {
      exchange.sendResponseHeaders(204, -1);
    } catch (IOException clientGone) {
      // see above
    }
  }

  @Override
  public void close() {
    down();
    later.shutdownNow();
    executor.shutdownNow();
  }
}
