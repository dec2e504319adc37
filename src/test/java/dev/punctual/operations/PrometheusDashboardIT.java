package dev.punctual.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.db.DatabaseUrl;
import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus (Debian's package) scraping two nodes with the rules of deploy/prometheus
 * loaded: every panel of the Grafana dashboard (deploy/grafana/punctual.json; Grafana itself cannot
 * run here) returns data, every rule evaluates without error, and stopping a node makes {@code
 * PunctualNodeDown} fire after its minute, then resolve when a node is back on its port.
 */
class PrometheusDashboardIT extends ApiTestBase {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Autowired private DatabaseUrl databaseUrl;

  @Test
  void everyPanelHasDataAndTheNodeDownAlertFiresAndResolves() throws Exception {
    Path dir = Files.createTempDirectory("punctual-prometheus");
    int secondPort = freePort();
    int prometheusPort = freePort();
    Files.writeString(
        dir.resolve("prometheus.yml"),
        """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: punctual
            metrics_path: /actuator/prometheus
            static_configs:
              - targets: ["127.0.0.1:%d", "127.0.0.1:%d"]
        """
            .formatted(
                Path.of("deploy/prometheus/punctual-rules.yml").toAbsolutePath(),
                port,
                secondPort));
    Process prometheus =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + prometheusPort,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    String api = "http://127.0.0.1:" + prometheusPort + "/api/v1/";
    Node second = null;
    Api tenant = newTenant();
    try (TargetServer target = new TargetServer()) {
      second = startSecondNode(secondPort, dir.resolve("node-b"));
      // Something to show: a job every second, and a tenant whose target fails.
      tenant.post(
          "/api/v1/jobs",
          Map.of(
              "name", "ticking",
              "schedule", Map.of("interval", "PT1S"),
              "target", Map.of("url", target.url("/ok"))));
      tenant.post(
          "/api/v1/jobs",
          Map.of(
              "name", "failing",
              "schedule", Map.of("interval", "PT1S"),
              "target", Map.of("url", target.url("/status/500")),
              "retry", Map.of("maxAttempts", 1)));

      await("Prometheus scrapes both nodes")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .failFast("prometheus exited", () -> !prometheus.isAlive())
          .until(
              () ->
                  results(api, "sum(up{job=\"punctual\"})")
                      .path(0)
                      .path("value")
                      .path(1)
                      .asString("")
                      .equals("2"));

      List<String> expressions = panelExpressions();
      assertThat(expressions).hasSizeGreaterThanOrEqualTo(15);
      for (String expr : expressions) {
        String query = expr.replace("$__rate_interval", "30s");
        await("data for " + query)
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> !results(api, query).isEmpty());
      }
      for (JsonNode group : get(api + "rules").path("data").path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          assertThat(rule.path("health").asString())
              .as(rule.path("name").asString())
              .isEqualTo("ok");
        }
      }

      // A node stops: the alert fires after its minute (plus a scrape and an evaluation).
      second.close();
      await("PunctualNodeDown fires")
          .atMost(Duration.ofSeconds(100))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> firing(api, "PunctualNodeDown"));
      second = startSecondNode(secondPort, dir.resolve("node-b2"));
      await("PunctualNodeDown resolves")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> !firing(api, "PunctualNodeDown"));
    } finally {
      if (second != null) {
        second.close();
      }
      prometheus.destroy(); // also when a node failed to start: no Prometheus outlives the test
      if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
      // Its every-second jobs must not go on firing under the next tests.
      for (JsonNode job : tenant.get("/api/v1/jobs").body().path("items")) {
        tenant.delete("/api/v1/jobs/" + job.path("id").asString());
      }
    }
  }

  private Node startSecondNode(int nodePort, Path dataDir) {
    return Node.start(
        Map.of(
            "server.port",
            Integer.toString(nodePort),
            "punctual.database-url",
            databaseUrl.jdbcUrl(),
            "punctual.admin-key",
            ADMIN_KEY,
            "punctual.data-dir",
            dataDir.toString(),
            "punctual.egress-allow",
            "127.0.0.0/8",
            "punctual.rate-limit",
            "0"));
  }

  private static boolean firing(String api, String alert) throws Exception {
    for (JsonNode a : get(api + "alerts").path("data").path("alerts")) {
      if (a.path("labels").path("alertname").asString().equals(alert)
          && a.path("state").asString().equals("firing")) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode results(String api, String query) throws Exception {
    return get(api + "query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
        .path("data")
        .path("result");
  }

  private static JsonNode get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url + " " + r.body()).isEqualTo(200);
    return Api.json(r.body());
  }

  private static List<String> panelExpressions() throws Exception {
    JsonNode dashboard = Api.json(Files.readString(Path.of("deploy/grafana/punctual.json")));
    List<String> expressions = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode t : panel.path("targets")) {
        expressions.add(t.path("expr").asString());
      }
    }
    return expressions;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
