package dev.punctual.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The laptop install: no DATABASE_URL, no admin key. The first start generates the admin key into
 * the data dir (0600); a restart on the same data dir keeps the key, tenants and jobs.
 */
class RestartIT {

  private static Node start(Path dataDir) {
    return Node.start(
        Map.of(
            "punctual.database-url", "", // embedded, even when the suite runs on a server
            "punctual.admin-key", "",
            "punctual.data-dir", dataDir.toString()));
  }

  /**
   * A first start that cannot write admin.key fails, and leaves no admin key in the database: the
   * next start generates one and writes it. (When the key's hash was committed before the file was
   * written, the next start found a key in the database and wrote none: an admin key nobody held.)
   */
  @Test
  void aFirstStartThatCannotWriteTheAdminKeyLeavesNoKeyNobodyHolds() throws Exception {
    Path dataDir = Files.createTempDirectory("punctual-no-key-file");
    Path keyFile = dataDir.resolve("admin.key");
    Files.createDirectories(keyFile.resolve("in-the-way")); // a non-empty directory: not writable
    assertThatThrownBy(() -> start(dataDir).close()).hasStackTraceContaining("admin.key");
    Files.delete(keyFile.resolve("in-the-way"));
    Files.delete(keyFile);

    try (Node node = start(dataDir)) {
      assertThat(keyFile).isRegularFile();
      String adminKey = Files.readString(keyFile).trim();
      assertThat(node.api(adminKey).get("/api/v1/tenants").status()).isEqualTo(200);
    }
  }

  @Test
  void aRestartKeepsTheAdminKeyTenantsAndJobs() throws Exception {
    Path dataDir = Files.createTempDirectory("punctual-restart");
    Path keyFile = dataDir.resolve("admin.key");
    String adminKey;
    Api.Response job;
    String tenantKey;
    try (Node node = start(dataDir)) {
      assertThat(keyFile).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
          .isEqualTo("rw-------");
      adminKey = Files.readString(keyFile).trim();
      Api admin = node.api(adminKey);
      Api.Response tenant = admin.post("/api/v1/tenants", Map.of("name", "laptop"));
      assertThat(tenant.status()).isEqualTo(201);
      tenantKey = tenant.body().path("apiKey").path("key").asString();
      job =
          admin
              .as(tenantKey)
              .post(
                  "/api/v1/jobs",
                  Map.of(
                      "name", "kept",
                      "schedule", Map.of("cron", "0 9 * * *", "timezone", "Europe/Berlin"),
                      "target", Map.of("url", "https://svc.example.com/x")));
      assertThat(job.status()).isEqualTo(201);
    }

    try (Node node = start(dataDir)) {
      assertThat(Files.readString(keyFile).trim()).isEqualTo(adminKey);
      assertThat(node.api(adminKey).get("/api/v1/tenants").status()).isEqualTo(200);
      Api.Response again =
          node.api(tenantKey).get("/api/v1/jobs/" + job.body().path("id").asString());
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.body()).isEqualTo(job.body());
    }
  }
}
