package dev.punctual.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.Prometheus;
import dev.punctual.support.TargetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import tools.jackson.databind.JsonNode;

/**
 * The guarantees of docs/guarantees.md on a real cluster, under faults, checked from the outside:
 * three node processes, nginx, PostgreSQL, a recording target; 200 jobs firing every second. Each
 * scenario breaks something, then proves that every fire time has exactly one run, every run
 * reached the target (a second delivery only within the run's counted attempts, always with the
 * same Idempotency-Key), and prints its figures (also to target/cluster/report.txt).
 *
 * <p>Runs in the {@code cluster} Maven profile: {@code ./mvnw verify -Pcluster}, beside the other
 * integration tests rather than after them (they run one class at a time; this class shares nothing
 * with them: its own processes, database, ports and directory), which takes its 9 minutes off the
 * suite's length. Its scenarios run one after the other, in order: each method is {@code
 * SAME_THREAD} (a class's mode would otherwise apply to its methods, and they would run at once).
 */
@Execution(ExecutionMode.CONCURRENT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterScenariosIT {
  private static final Path REPORT = Path.of("target/cluster/report.txt");
  private Cluster cluster;

  @BeforeAll
  void start() throws Exception {
    cluster = Cluster.start(Cluster.newDirectory("scenarios"));
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** What a scenario does between its jobs' creation and their pause; returns extra figures. */
  interface Fault {
    String run(Scenario s) throws Exception;
  }

  /** Runs a scenario and reports its figures; its jobs are deleted whatever happens. */
  private Scenario.Figures scenario(String name, Fault fault) throws Exception {
    Scenario s = new Scenario(name, cluster).begin();
    try {
      String extra = fault.run(s);
      s.end();
      return report(s.verdict(), extra);
    } finally {
      s.cleanup();
    }
  }

  private Scenario.Figures report(Scenario.Figures figures, String extra) throws Exception {
    String line = figures.line() + (extra.isEmpty() ? "" : " " + extra);
    System.out.println(line);
    figures.examples().forEach(e -> System.out.println("  " + e));
    Files.createDirectories(REPORT.getParent());
    Files.writeString(REPORT, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return figures;
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD) // the scenarios: one after the other, in order
  @Order(1)
  void killNineOfOneNodeUnderLoad() throws Exception {
    NodeProcess[] victim = new NodeProcess[1];
    Scenario.Figures f =
        scenario(
            "kill",
            s -> {
              s.at(8);
              victim[0] = cluster.busiestScheduler();
              victim[0].kill();
              s.at(28);
              victim[0].start(); // back for the next scenarios
              s.at(40);
              return "killed=" + victim[0].name;
            });
    assertThat(f.exactlyOnceAndDelivered()).as(f.line() + " " + f.examples()).isTrue();
    // Its jobs fire elsewhere once their leases run out (5 s) or the node counts as dead (10 s).
    assertThat(f.maxFireLag()).as("failover").isLessThanOrEqualTo(Duration.ofSeconds(10));
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD) // the scenarios: one after the other, in order
  @Order(2)
  void aFrozenNodeWakesUpHoldingStaleLeases() throws Exception {
    NodeProcess[] zombie = new NodeProcess[1];
    Scenario.Figures f =
        scenario(
            "sigstop",
            s -> {
              s.at(8);
              zombie[0] = cluster.busiestScheduler();
              zombie[0].signal("STOP");
              s.at(8 + 15); // longer than the dead-node limit (10 s)
              zombie[0].signal("CONT");
              s.at(40);
              return "frozen=" + zombie[0].name + " for 15 s";
            });
    assertThat(f.exactlyOnceAndDelivered()).as(f.line() + " " + f.examples()).isTrue();
    assertThat(f.maxFireLag()).as("failover").isLessThanOrEqualTo(Duration.ofSeconds(10));
    assertThat(zombie[0].alive()).isTrue();
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD) // the scenarios: one after the other, in order
  @Order(3)
  void postgresqlRestartedForTenSeconds() throws Exception {
    Scenario.Figures f =
        scenario(
            "db-restart",
            s -> {
              s.at(8);
              cluster.database.stop();
              s.at(18);
              cluster.database.start();
              s.at(45);
              return "";
            });
    // Fires due during the outage are late, none lost, none doubled.
    assertThat(f.exactlyOnceAndDelivered()).as(f.line() + " " + f.examples()).isTrue();
    assertThat(cluster.nodes).allMatch(NodeProcess::ready);
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD) // the scenarios: one after the other, in order
  @Order(4)
  void targetDownThenSlowThenBack() throws Exception {
    Scenario.Figures f =
        scenario(
            "target",
            s -> {
              s.at(8);
              cluster.target.down();
              s.at(18);
              cluster.target.slow(3000); // answers within the jobs' 5 s timeout, but slowly
              s.at(28);
              cluster.target.up();
              s.at(40);
              return "";
            });
    // Refused deliveries were retried until the target came back: every run succeeded.
    assertThat(f.exactlyOnceAndDelivered()).as(f.line() + " " + f.examples()).isTrue();
  }

  @Test
  @Execution(ExecutionMode.SAME_THREAD) // the scenarios: one after the other, in order
  @Order(5)
  void rollingRestartBehindNginxLosesNoRequest() throws Exception {
    List<String> failedRequests = new ArrayList<>();
    List<String> jobsLeft = new ArrayList<>();
    Scenario.Figures f =
        scenario(
            "rolling-restart",
            s -> {
              StringBuilder stops = new StringBuilder();
              try (ApiLoad load = new ApiLoad(cluster, 1, true)) {
                s.at(5);
                for (NodeProcess node : cluster.nodes) {
                  // The deploy of docs/operations.md: out of nginx's pool, SIGTERM, start, back.
                  // drain() returns once nginx's workers of the old configuration have exited:
                  // from then on no request can reach the node.
                  cluster.nginx.drain(node.port);
                  Duration stopped = node.terminate();
                  node.start(); // returns once the node is ready
                  cluster.nginx.restore(node.port);
                  stops.append(stops.length() == 0 ? "" : ",").append(stopped.toMillis());
                  awaitProgress(load, 100); // the restored pool serves before the next node goes
                }
                awaitProgress(load, 300);
                load.close();
                failedRequests.addAll(load.failures);
                jobsLeft.addAll(load.jobsLeft());
                load.retried.forEach(r -> System.out.println("  retried: " + r));
                return ("api_requests=%d failed_api_requests=%d retried_after_closed_connection=%d"
                        + " graceful_stop_ms=%s")
                    .formatted(
                        load.requests.get(), load.failures.size(), load.retried.size(), stops);
              }
            });
    // Every request was finally answered as expected (some after the documented retry), and the
    // retried creates made no second job: each created job was deleted, so none may be left.
    assertThat(failedRequests).as("API requests through nginx that failed").isEmpty();
    assertThat(jobsLeft).as("jobs created twice").isEmpty();
    assertThat(f.exactlyOnceAndDelivered()).as(f.line() + " " + f.examples()).isTrue();
    // A graceful stop hands its jobs back (others claim them within half a second). Were they not
    // handed back, they would wait for their 5 s leases to run out: the bound tells the two apart,
    // with over 3.5 s of margin over the 43-449 ms measured in ten runs on a shared 2-core machine.
    assertThat(f.maxFireLag()).as("fire lag during the deploy").isLessThan(Duration.ofSeconds(4));
  }

  /**
   * The control of the test above: a node killed with SIGKILL while a create through nginx is in
   * its hands. nginx does not pass a POST that reached a node on to another one, so the client gets
   * a 502, which no retry rule may hide: the same load client must count it as a failure.
   */
  @Test
  @Execution(ExecutionMode.SAME_THREAD) // the scenarios: one after the other, in order
  @Order(6)
  void controlANodeKilledWithARequestInItsHandsIsAFailureTheLoadSees() throws Exception {
    NodeProcess victim = cluster.nodes.get(1);
    ApiLoad load = new ApiLoad(cluster, 0, true);
    ExecutorService clients = Executors.newCachedThreadPool();
    try {
      victim.signal("STOP"); // it accepts connections (the kernel does) but answers nothing
      // Creates, one after the other without waiting for answers, until one sits unread in the
      // frozen node's socket: nginx's round robin sends one there within three.
      List<Future<?>> sent = new ArrayList<>();
      Awaitility.await("a create waiting in the frozen node's socket")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (Sockets.unreadBytes(victim.port) > 0) {
                  return true;
                }
                sent.add(clients.submit(() -> load.createOnce("control-" + sent.size())));
                return false;
              });
      victim.kill();
      for (Future<?> request : sent) {
        request.get(90, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
      if (!victim.alive()) {
        victim.start(); // back for any later scenario
      }
    }
    System.out.println("cluster control: failures seen by the load client " + load.failures);
    assertThat(load.failures).as("failures the load client saw").isNotEmpty();
    assertThat(load.failures).anyMatch(failure -> failure.startsWith("POST /jobs -> 502"));
  }

  /**
   * A real Prometheus scrapes the three nodes with deploy/prometheus's rules: every panel of the
   * Grafana dashboard (deploy/grafana/punctual.json; Grafana itself cannot run here) has data,
   * every rule evaluates, a tenant whose target fails fires {@code PunctualTenantDeliveriesFailing}
   * and a killed node {@code PunctualNodeDown}; both resolve once the target and the node are back.
   * The failure alert's 10 min {@code for} is 20 s in the test's copy of the rules (its expression
   * is the deployed one; promtool's tests in PrometheusRulesIT cover the 10 min); the node-down
   * alert keeps its minute.
   */
  @Test
  @Execution(ExecutionMode.SAME_THREAD) // the scenarios: one after the other, in order
  @Order(7)
  void prometheusSeesANodeDownAndAFailingTenantThenBothClear() throws Exception {
    Path dir = cluster.dir.resolve("prometheus");
    Path rules =
        Prometheus.rulesWithFor(Prometheus.RULES, dir, "PunctualTenantDeliveriesFailing", "20s");
    List<Integer> ports = cluster.nodes.stream().map(n -> n.port).toList();
    List<Api> tenants = new ArrayList<>();
    NodeProcess victim = cluster.nodes.get(2);
    try (Prometheus prometheus = Prometheus.start(dir, rules, ports);
        TargetServer target = new TargetServer()) {
      Api healthy = observedTenant("healthy", tenants);
      Api failing = observedTenant("failing", tenants);
      healthy.post("/api/v1/jobs", everySecond("ticking", target.url("/ok")));
      Instant failingSince = Instant.now();
      failing.post("/api/v1/jobs", everySecond("failing", target.url("/switch/observed")));
      prometheus.awaitScraping(Cluster.NODES);

      for (String query : Prometheus.dashboardQueries(Path.of("deploy/grafana/punctual.json"))) {
        await("data for " + query)
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> !prometheus.results(query).isEmpty());
      }
      assertThat(prometheus.unhealthyRules()).isEmpty();

      await("PunctualTenantDeliveriesFailing fires")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> prometheus.firing("PunctualTenantDeliveriesFailing"));
      Duration failingFired = Duration.between(failingSince, Instant.now());
      target.fix("observed");
      Instant fixedAt = Instant.now();

      Instant killedAt = Instant.now();
      victim.kill();
      await("PunctualNodeDown fires")
          .atMost(Duration.ofSeconds(100))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> prometheus.firing("PunctualNodeDown"));
      Duration nodeDownFired = Duration.between(killedAt, Instant.now());
      victim.start();
      Instant restartedAt = Instant.now();
      await("PunctualNodeDown resolves")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> !prometheus.firing("PunctualNodeDown"));
      Duration nodeDownResolved = Duration.between(restartedAt, Instant.now());
      // The ratio is over 10 minutes: it falls under one half once the successes since the fix
      // outnumber the failures before it.
      await("PunctualTenantDeliveriesFailing resolves")
          .atMost(Duration.ofSeconds(180))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> !prometheus.firing("PunctualTenantDeliveriesFailing"));
      Duration failingResolved = Duration.between(fixedAt, Instant.now());

      String line =
          ("cluster prometheus: node_down_fired_after_kill=%ds node_down_resolved_after_start=%ds"
                  + " failing_seen_firing_after_job_created=%ds (for: 20s)"
                  + " failing_resolved_after_fix=%ds")
              .formatted(
                  nodeDownFired.toSeconds(),
                  nodeDownResolved.toSeconds(),
                  failingFired.toSeconds(),
                  failingResolved.toSeconds());
      System.out.println(line);
      Files.createDirectories(REPORT.getParent());
      Files.writeString(REPORT, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      // Its minute, then at most a scrape, an evaluation and the poll (with margin).
      assertThat(nodeDownFired).isBetween(Duration.ofSeconds(60), Duration.ofSeconds(75));
    } finally {
      if (!victim.alive()) {
        victim.start();
      }
      for (Api tenant : tenants) {
        for (JsonNode job : tenant.get("/api/v1/jobs").body().path("items")) {
          tenant.delete("/api/v1/jobs/" + job.path("id").asString());
        }
      }
    }
  }

  private Api observedTenant(String name, List<Api> tenants) {
    Api.Response created =
        cluster
            .admin()
            .post(
                "/api/v1/tenants",
                Map.of("name", "observed-" + name + "-" + Long.toString(System.nanoTime(), 36)));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    Api tenant = cluster.api(created.body().path("apiKey").path("key").asString());
    tenants.add(tenant);
    return tenant;
  }

  private static Map<String, Object> everySecond(String name, String url) {
    return Map.of(
        "name", name,
        "schedule", Map.of("interval", "PT1S"),
        "target", Map.of("url", url),
        "retry", Map.of("maxAttempts", 1));
  }

  private static void awaitProgress(ApiLoad load, int more) {
    int from = load.requests.get();
    Awaitility.await("the API load makes " + more + " more requests")
        .atMost(Duration.ofSeconds(60))
        .until(() -> load.requests.get() >= from + more);
  }
}
