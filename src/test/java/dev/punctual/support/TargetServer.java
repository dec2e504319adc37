package dev.punctual.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.awaitility.Awaitility;

/**
 * A real HTTP target on loopback that records every request it gets. Paths choose behaviour: {@code
 * /ok}, {@code /sleep/<ms>} (200 after ms), {@code /status/<code>}, {@code /fail-then-ok/<n>} (500
 * for the first n requests of each run, then 200), {@code /retry-after/<seconds>} (503 with
 * Retry-After once per run, then 200), {@code /slow-first/<ms>} (the first attempt of each run is
 * answered after ms, later ones at once), {@code /switch/<name>} (500 "broken <name>" until {@link
 * #fix} is called, then 200 "fixed <name>", after {@link #slowDown}'s delay if one is set).
 *
 * <p>A late answer is sent by a scheduler when its time comes; the handler returns at once (the JDK
 * server lets another thread finish an exchange), so a slow target holds no thread while it waits.
 * Such a request counts as {@link #maxConcurrent concurrent} until its answer is sent.
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
  private final ScheduledExecutorService later =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "target-late-answers");
            t.setDaemon(true);
            return t;
          });
  private final ConcurrentLinkedQueue<Delivery> deliveries = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> perRun = new ConcurrentHashMap<>();
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger maxConcurrent = new AtomicInteger();

  private final Set<String> fixed = ConcurrentHashMap.newKeySet();
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
    Awaitility.await("a delivery of run " + runId)
        .atMost(Duration.ofSeconds(10))
        .until(() -> !deliveries(d -> runId.equals(d.runId())).isEmpty());
    return deliveries(d -> runId.equals(d.runId())).get(0);
  }

  public int maxConcurrent() {
    return maxConcurrent.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = concurrent.incrementAndGet();
    maxConcurrent.accumulateAndGet(now, Math::max);
    Answer answer;
    try {
      answer = answerTo(exchange);
    } catch (IOException | RuntimeException e) {
      concurrent.decrementAndGet();
      throw e;
    }
    if (answer.delayMillis() > 0) {
      later.schedule(() -> send(exchange, answer), answer.delayMillis(), TimeUnit.MILLISECONDS);
    } else {
      send(exchange, answer);
    }
  }

  /** What to answer, and how long after the request. */
  private record Answer(int status, String text, long delayMillis) {
    Answer(int status, String text) {
      this(status, text, 0);
    }
  }

  private Answer answerTo(HttpExchange exchange) throws IOException {
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
    return switch (kind) {
      case "sleep" -> new Answer(200, "slept", arg);
      case "status" -> {
        if (arg >= 300 && arg < 400) {
          exchange.getResponseHeaders().add("Location", "/ok");
        }
        yield new Answer((int) arg, "status " + arg);
      }
      case "switch" -> {
        String name = parts.length > 2 ? parts[2] : "";
        yield fixed.contains(name)
            ? new Answer(200, "fixed " + name, switchDelayMillis)
            : new Answer(500, "broken " + name);
      }
      case "fail-then-ok" -> seen <= arg ? new Answer(500, "no") : new Answer(200, "ok");
      case "retry-after" -> {
        if (seen == 1) {
          exchange.getResponseHeaders().add("Retry-After", String.valueOf(arg));
          yield new Answer(503, "later");
        }
        yield new Answer(200, "ok");
      }
      case "slow-first" ->
          new Answer(200, "ok", "1".equals(delivery.header("X-Punctual-Attempt")) ? arg : 0);
      default -> new Answer(200, "ok");
    };
  }

  /**
   * Sends the answer and ends the exchange. A client that gave up before a late answer makes the
   * write fail; that is the client's choice, not the target's fault, so it is not reported.
   */
  private void send(HttpExchange exchange, Answer answer) {
    byte[] bytes = answer.text().getBytes(StandardCharsets.UTF_8);
    try (exchange) {
      exchange.sendResponseHeaders(answer.status(), bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException clientGone) {
      // see above
    } finally {
      concurrent.decrementAndGet();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    later.shutdownNow();
  }
}
