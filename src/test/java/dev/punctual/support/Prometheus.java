package dev.punctual.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus (Debian's {@code prometheus} package) scraping Punctual nodes on loopback every
 * second with the rules of {@code deploy/prometheus} loaded, read through its HTTP API. The process
 * is stopped by {@link #close}, also when a test fails.
 */
public final class Prometheus implements AutoCloseable {
  /** The rules operators deploy. */
  public static final Path RULES = Path.of("deploy/prometheus/punctual-rules.yml");

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final String api;

  private Prometheus(Process process, int port) {
    this.process = process;
    this.api = "http://127.0.0.1:" + port + "/api/v1/";
  }

  /** Starts Prometheus in {@code dir}, scraping {@code /actuator/prometheus} on the given ports. */
  public static Prometheus start(Path dir, Path rules, List<Integer> nodePorts) throws IOException {
    Files.createDirectories(dir);
    int port = Ports.free();
    String targets =
        nodePorts.stream().map(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
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
              - targets: [%s]
        """
            .formatted(rules.toAbsolutePath(), targets));
    Process process =
        new ProcessBuilder(
                "prometheus",
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    return new Prometheus(process, port);
  }

  /**
   * A copy of {@code rules} in {@code dir} in which {@code alert} waits {@code pendingFor} instead
   * of its own {@code for}: the expression under test is the deployed one, only the wait is shorter
   * (promtool's unit tests, PrometheusRulesIT, cover the real wait).
   */
  public static Path rulesWithFor(Path rules, Path dir, String alert, String pendingFor)
      throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(rules));
    int at = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals("- alert: " + alert)) {
        at = i;
      } else if (at >= 0 && lines.get(i).trim().startsWith("for:")) {
        lines.set(i, lines.get(i).replaceFirst("for:.*", "for: " + pendingFor));
        break;
      } else if (at >= 0 && lines.get(i).trim().startsWith("- alert:")) {
        throw new IllegalArgumentException(alert + " has no for: in " + rules);
      }
    }
    if (at < 0) {
      throw new IllegalArgumentException("no alert " + alert + " in " + rules);
    }
    Files.createDirectories(dir);
    Path copy = dir.resolve("rules-" + alert + ".yml");
    Files.write(copy, lines);
    return copy;
  }

  /** Waits until {@code nodes} targets are up. */
  public void awaitScraping(int nodes) {
    await("Prometheus scrapes " + nodes + " nodes")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .failFast("prometheus exited", () -> !process.isAlive())
        .until(
            () ->
                results("sum(up{job=\"punctual\"})")
                    .path(0)
                    .path("value")
                    .path(1)
                    .asString("")
                    .equals(Integer.toString(nodes)));
  }

  /** The result vector of an instant query. */
  public JsonNode results(String query) throws IOException, InterruptedException {
    return get("query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
        .path("data")
        .path("result");
  }

  /** Whether an alert of that name is firing (not merely pending). */
  public boolean firing(String alert) throws IOException, InterruptedException {
    for (JsonNode a : get("alerts").path("data").path("alerts")) {
      if (a.path("labels").path("alertname").asString().equals(alert)
          && a.path("state").asString().equals("firing")) {
        return true;
      }
    }
    return false;
  }

  /** The name and last error of every rule whose evaluation is not healthy. */
  public List<String> unhealthyRules() throws IOException, InterruptedException {
    List<String> unhealthy = new ArrayList<>();
    for (JsonNode group : get("rules").path("data").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (!rule.path("health").asString().equals("ok")) {
          unhealthy.add(rule.path("name").asString() + ": " + rule.path("lastError").asString());
        }
      }
    }
    return unhealthy;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return Api.json(r.body());
  }

  /** Every query of the Grafana dashboard's panels, with Grafana's rate interval filled in. */
  public static List<String> dashboardQueries(Path dashboard) throws IOException {
    List<String> expressions = new ArrayList<>();
    for (JsonNode panel : Api.json(Files.readString(dashboard)).path("panels")) {
      for (JsonNode t : panel.path("targets")) {
        expressions.add(t.path("expr").asString().replace("$__rate_interval", "30s"));
      }
    }
    return expressions;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
