package dev.punctual.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punctual.db.DatabaseUrl;
import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Signing secrets and secret header values are stored sealed: a dump of the database holds none of
 * them in clear ({@code pg_dump} where its version matches the server's, as in CI's server pass;
 * every table's rows as text on the embedded database, whose bundle has no pg_dump), while
 * deliveries carry them in clear, signed, through a PATCH and a {@code ***} sent back; and a node
 * whose key is not the database's is refused at start.
 */
class SecretsAtRestIT extends ApiTestBase {
  @Autowired private JdbcClient jdbc;
  @Autowired private DatabaseUrl databaseUrl;

  @Test
  void aDumpHoldsNoSecretInClearAndDeliveriesCarryThem() throws Exception {
    String token = "Bearer secret-value-" + UUID.randomUUID();
    String apiKey = "secret-value-" + UUID.randomUUID();
    NewTenant created = newTenantWithSecret();
    Api tenant = created.api();
    try (TargetServer target = new TargetServer()) {
      Api.Response job =
          tenant.post(
              "/api/v1/jobs",
              Map.of(
                  "name", "sealed",
                  "schedule", Map.of("cron", "0 0 1 1 *", "timezone", "UTC"),
                  "target",
                      Map.of(
                          "url",
                          target.url("/ok"),
                          "headers",
                          Map.of(
                              "Authorization", token, "X-Api-Key", apiKey, "X-Team", "billing"))));
      assertThat(job.status()).as(job.toString()).isEqualTo(201);
      String jobId = job.body().path("id").asString();

      TargetServer.Delivery first = target.triggerAndReceive(tenant, jobId);
      assertThat(first.header("Authorization")).isEqualTo(token);
      assertThat(first.header("X-Api-Key")).isEqualTo(apiKey);
      assertThat(first.header("webhook-signature"))
          .isEqualTo(Signatures.expected(first, created.signingSecret()));

      // A PATCH of another field, and a PUT sending the shown *** back, keep the values.
      tenant.patch(
          "/api/v1/jobs/" + jobId,
          Map.of("description", "patched"),
          Map.of("Content-Type", "application/merge-patch+json"));
      var shown = tenant.get("/api/v1/jobs/" + jobId).body();
      assertThat(shown.path("target").path("headers").path("Authorization").asString())
          .isEqualTo("***");
      assertThat(tenant.put("/api/v1/jobs/" + jobId, shown, Map.of()).status()).isEqualTo(200);
      TargetServer.Delivery later = target.triggerAndReceive(tenant, jobId);
      assertThat(later.header("Authorization")).isEqualTo(token);
      assertThat(later.header("X-Api-Key")).isEqualTo(apiKey);
      assertThat(later.header("X-Team")).isEqualTo("billing");

      String secretBytes = created.signingSecret().substring("whsec_".length());
      String dump = dump();
      assertThat(dump).contains(SecretBox.PREFIX).contains("billing"); // a dump, with its rows
      assertThat(dump)
          .doesNotContain(secretBytes)
          .doesNotContain(token.substring("Bearer ".length()))
          .doesNotContain(apiKey);
      // Base64 without padding would hide the secret's bytes as well: look for them too.
      assertThat(dump)
          .doesNotContain(
              Base64.getUrlEncoder()
                  .withoutPadding()
                  .encodeToString(Base64.getDecoder().decode(secretBytes)));
      tenant.delete("/api/v1/jobs/" + jobId);
    }
  }

  @Test
  void aNodeWithAnotherKeyIsRefusedAtStart() {
    byte[] other = new byte[32];
    new SecureRandom().nextBytes(other);
    assertThatThrownBy(
            () ->
                Node.start(
                    Map.of(
                        "punctual.database-url",
                        databaseUrl.jdbcUrl(),
                        "punctual.admin-key",
                        ADMIN_KEY,
                        "punctual.data-dir",
                        Files.createTempDirectory("punctual-other-key").toString(),
                        "punctual.secret-key",
                        Base64.getEncoder().encodeToString(other))))
        .hasStackTraceContaining("cannot open the secrets of this database");
  }

  /**
   * The database as a dump holds it: pg_dump when DATABASE_URL names a server whose version pg_dump
   * matches; else every row of every table as text (the embedded bundle has no pg_dump).
   */
  private String dump() throws Exception {
    String url = System.getenv("DATABASE_URL");
    if (url != null && !url.isBlank() && pgDumpMatchesServer()) {
      Process p =
          new ProcessBuilder("pg_dump", "--data-only", url)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as("pg_dump").isZero();
      return out;
    }
    List<String> rows = new ArrayList<>();
    for (String table :
        jdbc.sql(
                "select table_name from information_schema.tables"
                    + " where table_schema = 'public' and table_type = 'BASE TABLE'")
            .query(String.class)
            .list()) {
      rows.addAll(jdbc.sql("select t::text from \"" + table + "\" t").query(String.class).list());
    }
    return String.join("\n", rows);
  }

  private boolean pgDumpMatchesServer() throws Exception {
    Process v = new ProcessBuilder("pg_dump", "--version").redirectErrorStream(true).start();
    String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    v.waitFor(10, TimeUnit.SECONDS);
    int server =
        jdbc.sql("select current_setting('server_version_num')::int / 10000")
            .query(Integer.class)
            .single();
    return version.matches("(?s).*\\b" + server + "\\.\\d+.*");
  }
}
