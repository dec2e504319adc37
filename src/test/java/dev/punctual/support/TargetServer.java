package dev.punctual.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP target on loopback that records every request it gets. Paths choose behaviour: {@code
 * /ok}, {@code /sleep/<ms>}, {@code /status/<code>}, {@code /fail-then-ok/<n>} (500 for the first n
 * requests of each run, then 200), {@code /retry-after/<seconds>} (503 with Retry-After once per
 * run, then 200), {@code /slow-first/<ms>} (the first attempt of each run sleeps, later ones answer
 * at once), {@code /switch/<name>} (500 "broken <name>" until {@link #fix} is called, then 200
 * "fixed <name>", after {@link #slowDown}'s delay if one is set).
 */
public final class TargetServer implements AutoCloseable {
  /** One request as the target saw it. */
  public record Delivery(
      Instant receivedAt,
      String method,
      String path,
      Map<String, List<String>> headers,
      String body) {
    public String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue().get(0);
        }
      }
      return null;
    }

    public String runId() {
      return header("X-Punctual-Run-Id");
    }
  }

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> perRun = new ConcurrentHashMap<>();
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();

  private final java.util.Set<String> fixed = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile long switchDelayMillis;

  /** {@code /switch/<name>} answers 200 from now on. */
  public void fix(String name) {
    fixed.add(name);
  }

  /** {@code /switch/<name>} answers only after {@code millis} from now on (0: at once). */
  public void slowDown(long millis) {
    switchDelayMillis = millis;
  }

  public TargetServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  public List<Delivery> deliveries(Function<Delivery, Boolean> filter) {
    return deliveries.stream().filter(filter::apply).toList();
  }

  /** Triggers a run of {@code jobId} and waits until this target has received it. */
  public Delivery triggerAndReceive(Api tenant, String jobId) {
    String runId =
        tenant.post("/api/v1/jobs/" + jobId + "/trigger", null).body().path("id").asString();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> !deliveries(d -> runId.equals(d.runId())).isEmpty());
    return deliveries(d -> runId.equals(d.runId())).get(0);
  }

  public int maxConcurrent() {
    return maxConcurrent.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = concurrent.incrementAndGet();
    maxConcurrent.accumulateAndGet(now, Math::max);
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      Delivery delivery =
          new Delivery(
              Instant.now(),
              exchange.getRequestMethod(),
              path,
              Map.copyOf(exchange.getRequestHeaders()),
              body);
      deliveries.add(delivery);
      String runId = delivery.runId() == null ? "" : delivery.runId();
      int seen =
          perRun.computeIfAbsent(path + "#" + runId, k -> new AtomicInteger()).incrementAndGet();
      String[] parts = path.split("/");
      String kind = parts.length > 1 ? parts[1] : "";
      long arg = parts.length > 2 && parts[2].matches("\\d+") ? Long.parseLong(parts[2]) : 0;
      switch (kind) {
        case "sleep" -> {
          sleep(arg);
          answer(exchange, 200, "slept");
        }
        case "status" -> {
          if (arg >= 300 && arg < 400) {
            exchange.getResponseHeaders().add("Location", "/ok");
          }
          answer(exchange, (int) arg, "status " + arg);
        }
        case "switch" -> {
          String name = parts.length > 2 ? parts[2] : "";
          if (fixed.contains(name)) {
            sleep(switchDelayMillis);
            answer(exchange, 200, "fixed " + name);
          } else {
            answer(exchange, 500, "broken " + name);
          }
        }
        case "fail-then-ok" -> answer(exchange, seen <= arg ? 500 : 200, seen <= arg ? "no" : "ok");
        case "retry-after" -> {
          if (seen == 1) {
            exchange.getResponseHeaders().add("Retry-After", String.valueOf(arg));
            answer(exchange, 503, "later");
          } else {
            answer(exchange, 200, "ok");
          }
        }
        case "slow-first" -> {
          if ("1".equals(delivery.header("X-Punctual-Attempt"))) {
            sleep(arg);
          }
          answer(exchange, 200, "ok");
        }
        default -> answer(exchange, 200, "ok");
      }
    } finally {
      concurrent.decrementAndGet();
    }
  }

  private static void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
