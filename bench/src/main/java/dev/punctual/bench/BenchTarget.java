package dev.punctual.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Executors;

/**
 * The HTTP target of the end-to-end runs, in a process of its own so that its CPU is its own: the
 * JDK's built-in server on loopback, answering {@code 204} with no body, and recording each
 * delivery (job id, scheduled time from {@code X-Punctual-Scheduled-For}, arrival time) in the
 * {@link Recorder} format, written when it gets SIGTERM.
 *
 * <p>Arguments: port, output file.
 */
public final class BenchTarget {
  /** The job id of the warm-up's requests ({@code Bench.startTarget}): answered, not recorded. */
  static final String WARM_UP_JOB = "warm-up";

  private BenchTarget() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Recorder recorder = new Recorder();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
    // A few threads: the handler is a header lookup and an append to a lock-free queue.
    server.setExecutor(Executors.newFixedThreadPool(4));
    java.util.concurrent.atomic.AtomicLong deliveries =
        new java.util.concurrent.atomic.AtomicLong();
    // GET /count: deliveries so far, for a coordinator that waits for them (the service bench).
    server.createContext(
        "/count",
        exchange -> {
          try (exchange) {
            byte[] body = Long.toString(deliveries.get()).getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String job = exchange.getRequestHeaders().getFirst("X-Punctual-Job-Id");
            String scheduled = exchange.getRequestHeaders().getFirst("X-Punctual-Scheduled-For");
            if (job != null && scheduled != null) {
              // The warm-up's requests take this path too, all but the recording: its first use
              // in a JVM (Instant.parse, the string concatenation's bootstrap) would otherwise
              // fall on the first real deliveries.
              String key = job + "@" + scheduled;
              Instant at = Instant.parse(scheduled);
              if (!WARM_UP_JOB.equals(job)) {
                recorder.record(key, at);
                deliveries.incrementAndGet();
              }
            }
            exchange.sendResponseHeaders(204, -1);
            OutputStream ignored = exchange.getResponseBody();
            ignored.close();
          }
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    recorder.writeTo(Path.of(args[1]));
                  } catch (Exception e) {
                    e.printStackTrace();
                  }
                }));
    server.start();
    System.out.println("listening on " + port);
    Worker.exitWithCoordinator();
  }
}
