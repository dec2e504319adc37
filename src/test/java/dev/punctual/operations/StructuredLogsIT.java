package dev.punctual.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.Ports;
import dev.punctual.support.ServiceJar;
import dev.punctual.support.TargetServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The service's jar with JSON logs switched on by one setting ({@code
 * LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}, Spring Boot's structured logging): every line of its
 * console is a JSON document {@code jq} reads; an engine event carries the node, tenant, job and
 * run ids; and no line holds an API key or a secret header's value.
 */
// Starts the jar on its own embedded database whatever DATABASE_URL says: .ci/run's server pass
// skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class StructuredLogsIT {
  private static final String ADMIN_KEY = "logs-admin-" + UUID.randomUUID();
  private static final String SECRET_HEADER = "Bearer secret-value-" + UUID.randomUUID();

  @Test
  void everyLineIsJsonWithTheIdsAndNoSecret() throws Exception {
    Path dir = Files.createTempDirectory("punctual-logs");
    Path log = dir.resolve("console.log");
    int port = Ports.free();
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(java, "-Xmx256m", "-jar", ServiceJar.path().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("SERVER_PORT", Integer.toString(port));
    builder.environment().put("PUNCTUAL_DATA_DIR", dir.resolve("data").toString());
    builder.environment().put("PUNCTUAL_ADMIN_KEY", ADMIN_KEY);
    builder.environment().put("PUNCTUAL_ENGINE_WARM_UP_REQUESTS", "500"); // a tenth as long
    builder.environment().put("PUNCTUAL_EGRESS_ALLOW", "127.0.0.0/8");
    builder.environment().put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
    builder.environment().remove("DATABASE_URL"); // the embedded database, as on a laptop
    Process node = builder.start();
    String tenantKey;
    try (TargetServer target = new TargetServer()) {
      String base = "http://127.0.0.1:" + port;
      await("the node is ready")
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .failFast("the node exited", () -> !node.isAlive())
          .until(() -> ServiceJar.ready(base));
      Api admin = new Api(base, ADMIN_KEY);
      Api.Response created = admin.post("/api/v1/tenants", Map.of("name", "logged"));
      tenantKey = created.body().path("apiKey").path("key").asString();
      Api tenant = admin.as(tenantKey);
      // A job whose target fails, with a secret header; one failure pauses it (a WARN line).
      Api.Response job =
          tenant.post(
              "/api/v1/jobs",
              Map.of(
                  "name", "failing",
                  "schedule", Map.of("cron", "0 0 1 1 *"),
                  "target",
                      Map.of(
                          "url", target.url("/status/500"),
                          "headers", Map.of("Authorization", SECRET_HEADER)),
                  "retry", Map.of("maxAttempts", 1),
                  "pauseAfterFailures", 1));
      String jobId = job.body().path("id").asString();
      String runId =
          tenant.post("/api/v1/jobs/" + jobId + "/trigger", null).body().path("id").asString();
      await("the job paused itself")
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  tenant
                      .get("/api/v1/jobs/" + jobId)
                      .body()
                      .path("state")
                      .asString()
                      .equals("PAUSED"));
      await("the pause logged")
          .atMost(Duration.ofSeconds(10))
          .until(() -> Files.readString(log).contains("is paused"));
      assertThat(target.deliveries().get(0).header("Authorization")).isEqualTo(SECRET_HEADER);

      // Every line is JSON: jq reads the whole console.
      Process jq = new ProcessBuilder("jq", "-c", ".", log.toString()).start();
      String parsed = new String(jq.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String errors = new String(jq.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(jq.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(jq.exitValue()).as("jq: " + errors).isZero();

      List<JsonNode> lines = new ArrayList<>();
      for (String line : parsed.split("\n")) {
        if (!line.isBlank()) {
          lines.add(Api.json(line));
        }
      }
      assertThat(lines).hasSizeGreaterThan(10);
      JsonNode paused =
          lines.stream()
              .filter(l -> l.path("message").asString("").contains("is paused"))
              .findFirst()
              .orElseThrow();
      assertThat(paused.path("log").path("level").asString()).isEqualTo("WARN");
      assertThat(id(paused, "job")).isEqualTo(jobId);
      assertThat(id(paused, "run")).isEqualTo(runId);
      assertThat(id(paused, "tenant")).isNotBlank();
      assertThat(id(paused, "node")).isNotBlank();
    } finally {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
    // No key and no secret header value anywhere in the logs.
    String all = Files.readString(log);
    assertThat(all).doesNotContain(ADMIN_KEY).doesNotContain(tenantKey);
    assertThat(all).doesNotContain(SECRET_HEADER).doesNotContain(SECRET_HEADER.substring(7));
  }

  /** An id field, as ECS nests dotted names ({@code job.id} as {@code job: {id}}) or not. */
  private static String id(JsonNode line, String owner) {
    JsonNode nested = line.path(owner).path("id");
    JsonNode value = nested.isMissingNode() ? line.path(owner + ".id") : nested;
    if (value.isMissingNode() || value.isNull()) {
      return "";
    }
    return value.isNumber() ? String.valueOf(value.asLong()) : value.asString();
  }
}
