package dev.punctual.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.punctual.support.Api;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Tracing on, by setting an OTLP endpoint only: a target receives a valid W3C {@code traceparent}
 * with each attempt, and the spans (the API request, the run's fire and attempt, with its ids)
 * reach an OTLP/HTTP receiver started by the test, under the trace id the target saw. Off (no
 * endpoint), a target receives no {@code traceparent}.
 */
class TracingIT {
  private static final String ADMIN = "tracing-admin";

  @Test
  void spansReachTheCollectorAndTheTargetJoinsTheRunsTrace() throws Exception {
    List<byte[]> exported = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          exchange.getRequestBody().transferTo(body);
          exported.add(body.toByteArray());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    try (TargetServer target = new TargetServer();
        Node node =
            node(
                Map.of(
                    "management.opentelemetry.tracing.export.otlp.endpoint",
                    "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces"))) {
      Api tenant = tenant(node, "traced");
      String job = job(tenant, "traced", target);
      TargetServer.Delivery delivery = target.triggerAndReceive(tenant, job);
      String traceparent = delivery.header("traceparent");
      assertThat(traceparent).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]");
      assertThat(traceparent.substring(3, 35)).isNotEqualTo("0".repeat(32));
      byte[] traceId = HexFormat.of().parseHex(traceparent.substring(3, 35));
      String runId = delivery.runId();

      await("the attempt's span exported under the trace id the target saw")
          .atMost(Duration.ofSeconds(30))
          .until(() -> exported.stream().anyMatch(b -> contains(b, traceId) && has(b, runId)));
      // A scheduled fire (a one-shot due in 2 s): its fire span, and its attempt as a child.
      tenant.post(
          "/api/v1/jobs",
          Map.of(
              "name", "scheduled",
              "schedule", Map.of("at", Instant.now().plusSeconds(2).toString()),
              "target", Map.of("url", target.url("/ok"))));
      await("the span names: the API request, the fire, the attempt")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  exported.stream().anyMatch(b -> has(b, "punctual.attempt"))
                      && exported.stream().anyMatch(b -> has(b, "punctual.fire"))
                      && exported.stream().anyMatch(b -> has(b, "/api/v1/jobs/{id}/trigger")));
    } catch (ConditionTimeoutException e) {
      StringBuilder strings = new StringBuilder();
      for (byte[] b : exported) {
        strings.append(
            new String(b, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]+", " "));
      }
      throw new AssertionError("exported: " + strings, e);
    } finally {
      collector.stop(0);
    }
  }

  @Test
  void withoutAnEndpointNoTraceparentIsSent() throws Exception {
    try (TargetServer target = new TargetServer();
        Node node = node(Map.of())) {
      Api tenant = tenant(node, "untraced");
      String job = job(tenant, "untraced", target);
      assertThat(target.triggerAndReceive(tenant, job).header("traceparent")).isNull();
      // Nor does the API make spans: no tracing handler sees its requests' observations.
      assertThat(node.beanNames(TracingObservationHandler.class)).isEmpty();
      // The request metrics stay (they come from the meter handler).
      assertThat(node.api(ADMIN).get("/actuator/prometheus").raw().body())
          .contains("http_server_requests_seconds_count");
    }
  }

  /** A node on a database of its own, loopback targets allowed, with {@code extra} settings. */
  private static Node node(Map<String, String> extra) throws Exception {
    Map<String, String> settings = new HashMap<>(extra);
    settings.put("punctual.database-url", "");
    settings.put("punctual.admin-key", ADMIN);
    settings.put("punctual.data-dir", Files.createTempDirectory("punctual-tracing").toString());
    settings.put("punctual.egress-allow", "127.0.0.0/8");
    return Node.start(settings);
  }

  private static Api tenant(Node node, String name) {
    Api admin = node.api(ADMIN);
    return admin.as(
        admin
            .post("/api/v1/tenants", Map.of("name", name))
            .body()
            .path("apiKey")
            .path("key")
            .asString());
  }

  /** A job that fires only when triggered, calling {@code target}'s /ok. */
  private static String job(Api tenant, String name, TargetServer target) {
    return tenant
        .post(
            "/api/v1/jobs",
            Map.of(
                "name", name,
                "schedule", Map.of("cron", "0 0 1 1 *"),
                "target", Map.of("url", target.url("/ok"))))
        .body()
        .path("id")
        .asString();
  }

  private static boolean has(byte[] body, String text) {
    return contains(body, text.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
