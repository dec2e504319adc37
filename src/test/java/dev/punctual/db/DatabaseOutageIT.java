package dev.punctual.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import dev.punctual.support.TcpProxy;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The database goes away under a running node (every connection cut, new ones refused) and comes
 * back: the API answers 503 with Retry-After meanwhile, readiness is DOWN, and afterwards
 * everything works again with nothing lost, without a restart of the node.
 */
// Runs on an embedded PostgreSQL of its own whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class DatabaseOutageIT {
  private static final String ADMIN = "outage-admin-key";

  @Test
  void apiAnswers503WhileTheDatabaseIsAwayAndRecoversByItself() throws Exception {
    Path dir = Files.createTempDirectory("punctual-outage");
    try (EmbeddedPostgres postgres =
            EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start();
        TcpProxy proxy = new TcpProxy(postgres.getPort());
        Node node =
            Node.start(
                Map.of(
                    "punctual.database-url",
                    "postgres://postgres@127.0.0.1:" + proxy.port() + "/postgres",
                    "punctual.admin-key",
                    ADMIN,
                    "punctual.data-dir",
                    dir.toString(),
                    "punctual.pool-timeout",
                    "1s"))) {
      Api admin = node.api(ADMIN);
      Api.Response tenant = admin.post("/api/v1/tenants", Map.of("name", "outage"));
      Api api = admin.as(tenant.body().path("apiKey").path("key").asString());
      Api.Response job =
          api.post(
              "/api/v1/jobs",
              Map.of(
                  "name", "survivor",
                  // Yearly: a fire during the test would change nextRunAt and lastRun, and the
                  // job is compared whole after the outage (it did, across a minute boundary).
                  "schedule", Map.of("cron", "0 0 1 1 *"),
                  "target", Map.of("url", "https://svc.example.com/x")));
      String path = "/api/v1/jobs/" + job.body().path("id").asString();
      assertThat(api.get(path).status()).isEqualTo(200);

      proxy.cut();

      Api.Response down = api.get(path);
      assertThat(down.status()).as(down.toString()).isEqualTo(503);
      assertThat(down.header("Retry-After")).isEqualTo("5");
      assertThat(down.contentType()).startsWith("application/problem+json");
      Api.Response create =
          api.post(
              "/api/v1/jobs",
              Map.of(
                  "name", "during-outage",
                  "schedule", Map.of("cron", "* * * * *"),
                  "target", Map.of("url", "https://svc.example.com/x")));
      assertThat(create.status()).isEqualTo(503);
      await("readiness down")
          .atMost(Duration.ofSeconds(15))
          .until(() -> api.get("/actuator/health/readiness").status() == 503);
      assertThat(api.get("/actuator/health/liveness").status()).isEqualTo(200);

      proxy.restore();

      await("reads answer again")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> api.get(path).status() == 200);
      assertThat(api.get(path).body()).isEqualTo(job.body());
      await("readiness up")
          .atMost(Duration.ofSeconds(15))
          .until(() -> api.get("/actuator/health/readiness").status() == 200);
      // The create refused during the outage left nothing behind, and can be made now.
      assertThat(api.get("/api/v1/jobs?namePrefix=during").body().path("items")).isEmpty();
      assertThat(
              api.post(
                      "/api/v1/jobs",
                      Map.of(
                          "name", "during-outage",
                          "schedule", Map.of("cron", "* * * * *"),
                          "target", Map.of("url", "https://svc.example.com/x")))
                  .status())
          .isEqualTo(201);
    }
  }
}
