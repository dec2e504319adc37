package dev.punctual.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert and recording rules of deploy/prometheus: Prometheus's own {@code promtool} checks them
 * and runs their unit tests (every alert fires on the series that should fire it and stays silent
 * on the others); every alert has a test and a runbook section; and every metric they use is one a
 * running node exposes (a renamed metric would leave an alert that never fires).
 */
class PrometheusRulesIT extends ApiTestBase {
  private static final Path RULES = Path.of("deploy/prometheus/punctual-rules.yml");
  private static final Path TESTS = Path.of("deploy/prometheus/punctual-rules-test.yml");
  private static final Pattern ALERT = Pattern.compile("(?m)^\\s*- alert: (\\w+)");
  private static final Pattern METRIC = Pattern.compile("\\b((?:punctual|hikaricp)_[a-z_]+)\\b");

  @Test
  void promtoolChecksTheRulesAndTheirTestsPass() throws Exception {
    assertThat(promtool("check", "rules", RULES.toString())).contains("SUCCESS");
    assertThat(promtool("test", "rules", TESTS.toString())).contains("SUCCESS");
  }

  @Test
  void everyAlertHasATestAndARunbook() throws IOException {
    String tests = Files.readString(TESTS);
    String operations = Files.readString(Path.of("docs/operations.md"));
    Set<String> alerts = alerts();
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);
    for (String alert : alerts) {
      assertThat(tests).as("a promtool test of " + alert).contains("alertname: " + alert + "\n");
      assertThat(operations).as("a runbook of " + alert).contains("### " + alert + "\n");
      assertThat(Files.readString(RULES))
          .contains("runbook: \"docs/operations.md#" + alert.toLowerCase(Locale.ROOT) + "\"");
    }
  }

  @Test
  void everyMetricTheRulesUseIsExposedByANode() throws Exception {
    // One delivery, so that the per-tenant counters exist too.
    try (TargetServer target = new TargetServer()) {
      Api tenant = newTenant();
      String job =
          tenant
              .post(
                  "/api/v1/jobs",
                  Map.of(
                      "name", "scraped",
                      "schedule", Map.of("cron", "0 0 1 1 *"),
                      "target", Map.of("url", target.url("/ok"))))
              .body()
              .path("id")
              .asString();
      target.triggerAndReceive(tenant, job);
    }
    Set<String> used = new TreeSet<>();
    Matcher m = METRIC.matcher(Files.readString(RULES));
    while (m.find()) {
      used.add(m.group(1));
    }
    assertThat(used).contains("punctual_fire_lag_seconds_bucket", "hikaricp_connections_pending");
    await("the per-tenant counters scraped")
        .atMost(Duration.ofSeconds(10))
        .until(() -> scrape().contains("punctual_tenant_deliveries_total{"));
    String scrape = scrape();
    for (String metric : used) {
      // A sample line: the name, then its labels or (none) its value.
      assertThat(scrape.contains("\n" + metric + "{") || scrape.contains("\n" + metric + " "))
          .as(metric + " in /actuator/prometheus")
          .isTrue();
    }
  }

  private String scrape() {
    return admin.get("/actuator/prometheus").raw().body();
  }

  private static Set<String> alerts() throws IOException {
    Set<String> alerts = new TreeSet<>();
    Matcher m = ALERT.matcher(Files.readString(RULES));
    while (m.find()) {
      alerts.add(m.group(1));
    }
    return alerts;
  }

  /** Runs promtool (Debian's prometheus package; .ci/run installs it). */
  private static String promtool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "promtool";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
