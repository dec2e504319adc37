package dev.punctual.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A rotation of the secret key on two nodes while a job fires every second, done as
 * docs/security.md says (add the new key beside the old on every node, then make it the current one
 * on every node, then drop the old one), with a node down at each restart: every run succeeds,
 * every delivery carries the secret header in clear and a signature that verifies, and at the end
 * every stored secret is sealed under the new key, which alone opens them; a node with only the old
 * key is refused at start.
 */
// Runs on an embedded PostgreSQL of its own whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class SecretKeyRotationIT {
  private static final String ADMIN = "rotation-admin-" + UUID.randomUUID();

  @Test
  void aRotationOnTwoNodesWhileDeliveriesRunLosesNone() throws Exception {
    String oldKey = newKey();
    String newKey = newKey();
    Path dir = Files.createTempDirectory("punctual-rotation");
    String token = "Bearer secret-value-" + UUID.randomUUID();
    // A database of its own: the re-sealing walks every secret of the database it is on.
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start();
    String db = postgres.getJdbcUrl("postgres", "postgres");
    Node a = node(dir.resolve("a"), db, oldKey);
    Node b = null;
    try (postgres;
        TargetServer target = new TargetServer()) {
      Api admin = a.api(ADMIN);
      Api.Response created = admin.post("/api/v1/tenants", Map.of("name", "rotating"));
      String signingSecret = created.body().path("signingSecret").asString();
      String key = created.body().path("apiKey").path("key").asString();
      Api.Response job =
          a.api(key)
              .post(
                  "/api/v1/jobs",
                  Map.of(
                      "name", "every-second",
                      "schedule", Map.of("interval", "PT1S"),
                      "target",
                          Map.of(
                              "url", target.url("/ok"), "headers", Map.of("Authorization", token)),
                      "retry", Map.of("maxAttempts", 10, "initialBackoff", "PT1S")));
      assertThat(job.status()).as(job.toString()).isEqualTo(201);
      String jobId = job.body().path("id").asString();
      b = node(dir.resolve("b"), db, oldKey);

      // 1. The new key beside the old one, on every node (the old one still seals).
      b = restart(b, dir.resolve("b"), db, oldKey + "," + newKey);
      a = restart(a, dir.resolve("a"), db, oldKey + "," + newKey);
      // A poisoned row: another tenant's signing secret altered in the database. It cannot be
      // re-sealed; the others must be all the same.
      Api.Response other = a.api(ADMIN).post("/api/v1/tenants", Map.of("name", "altered"));
      assertThat(other.status()).isEqualTo(201);
      String poisoned =
          SecretBox.PREFIX + SecretBox.keyId(Base64.getDecoder().decode(oldKey)) + ":AAAAAAAA";
      a.bean(JdbcClient.class)
          .sql(
              """
              update signing_secrets set secret = :poisoned
              where tenant_id = (select id from tenants where name = 'altered')
              """)
          .param("poisoned", poisoned)
          .update();

      // 2. The new key current on every node; the last to start on it re-seals everything.
      b = restart(b, dir.resolve("b"), db, newKey + "," + oldKey);
      a = restart(a, dir.resolve("a"), db, newKey + "," + oldKey);
      JdbcClient sql = a.bean(JdbcClient.class);
      String newId = SecretBox.keyId(Base64.getDecoder().decode(newKey));
      await("every secret but the altered one sealed under the new key")
          .atMost(Duration.ofSeconds(30))
          .until(() -> sealedUnder(sql, newId, poisoned));
      assertThat(
              sql.sql("select count(*) from signing_secrets where secret = :p")
                  .param("p", poisoned)
                  .query(Long.class)
                  .single())
          .as("the altered secret, left as it was")
          .isEqualTo(1L);
      // 3. The old key dropped.
      b = restart(b, dir.resolve("b"), db, newKey);
      a = restart(a, dir.resolve("a"), db, newKey);
      int before = target.deliveries().size();
      await("deliveries go on after the rotation")
          .atMost(Duration.ofSeconds(30))
          .until(() -> target.deliveries().size() >= before + 5);

      // A node with only the old key cannot open the database's secrets: refused at start.
      assertThatThrownBy(() -> node(dir.resolve("c"), db, oldKey))
          .hasStackTraceContaining("cannot open the secrets of this database");

      Api tenant = a.api(key);
      tenant.post("/api/v1/jobs/" + jobId + "/pause", null);
      List<JsonNode> runs = runs(tenant, jobId);
      assertThat(runs).hasSizeGreaterThan(10);
      await("every run finished")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  runs(tenant, jobId).stream()
                      .allMatch(r -> List.of("SUCCEEDED", "FAILED").contains(status(r))));
      assertThat(runs(tenant, jobId)).allMatch(r -> status(r).equals("SUCCEEDED"));
      assertThat(target.deliveries()).isNotEmpty();
      for (TargetServer.Delivery d : target.deliveries()) {
        assertThat(d.header("Authorization")).isEqualTo(token);
        assertThat(d.header("webhook-signature")).isEqualTo(Signatures.expected(d, signingSecret));
      }
    } finally {
      if (b != null) {
        b.close();
      }
      a.close();
    }
  }

  private static boolean sealedUnder(JdbcClient sql, String keyId, String except) {
    String prefix = SecretBox.PREFIX + keyId + ":";
    List<String> secrets =
        sql.sql("select secret from signing_secrets where secret <> :except")
            .param("except", except)
            .query(String.class)
            .list();
    List<String> targets = sql.sql("select target::text from jobs").query(String.class).list();
    return !secrets.isEmpty()
        && secrets.stream().allMatch(s -> s.startsWith(prefix))
        && targets.stream().allMatch(t -> t.contains(prefix));
  }

  private static String status(JsonNode run) {
    return run.path("status").asString();
  }

  private static List<JsonNode> runs(Api tenant, String jobId) {
    List<JsonNode> runs = new ArrayList<>();
    tenant.get("/api/v1/jobs/" + jobId + "/runs?limit=500").body().path("items").forEach(runs::add);
    return runs;
  }

  /** Stops a node and starts it again with other keys: a rolling restart's step. */
  private static Node restart(Node node, Path dir, String db, String keys) {
    node.close();
    return node(dir, db, keys);
  }

  private static Node node(Path dir, String db, String keys) {
    Map<String, String> settings = new HashMap<>();
    settings.put("punctual.database-url", db);
    settings.put("punctual.data-dir", dir.toString());
    settings.put("punctual.admin-key", ADMIN);
    settings.put("punctual.secret-key", keys);
    settings.put("punctual.egress-allow", "127.0.0.0/8");
    settings.put("punctual.rate-limit", "0");
    return Node.start(settings);
  }

  private static String newKey() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }
}
