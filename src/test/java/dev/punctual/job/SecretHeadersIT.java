package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Credentials in target headers reach the target and nowhere else: the API shows {@code ***}, a PUT
 * or PATCH of what it showed keeps the real value, and neither the logs (at DEBUG) nor the run
 * records carry it.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretHeadersIT extends ApiTestBase {
  private final String token = "Bearer secret-value-" + UUID.randomUUID();
  private final String apiKey = "secret-value-" + UUID.randomUUID();
  private TargetServer target;

  @Autowired LoggingSystem logging;

  @BeforeEach
  void setUp() throws Exception {
    target = new TargetServer();
    logging.setLogLevel("dev.punctual", LogLevel.DEBUG);
  }

  @AfterEach
  void tearDown() {
    logging.setLogLevel("dev.punctual", null);
    target.close();
  }

  private Map<String, Object> job(String name, String path, Map<String, String> headers) {
    return Map.of(
        "name",
        name,
        "schedule",
        Map.of("cron", "0 0 1 1 *", "timezone", "UTC"),
        "target",
        Map.of("url", target.url(path), "headers", headers));
  }

  private Map<String, String> secretHeaders() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", token);
    headers.put("X-Api-Key", apiKey);
    headers.put("X-Team", "billing");
    return headers;
  }

  @Test
  void secretValuesAreShownAsStarsAndDeliveredAsThemselves(CapturedOutput output) {
    Api tenant = newTenant();
    Api.Response created =
        tenant.post(
            "/api/v1/jobs",
            job("secret", "/ok", secretHeaders()),
            Map.of("Idempotency-Key", "create-secret"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonNode headers = created.body().path("target").path("headers");
    assertThat(headers.path("Authorization").asString()).isEqualTo("***");
    assertThat(headers.path("X-Api-Key").asString()).isEqualTo("***");
    assertThat(headers.path("X-Team").asString()).isEqualTo("billing");
    String id = created.body().path("id").asString();

    // Every way of reading the job back hides them too, the idempotent replay included.
    assertThat(tenant.get("/api/v1/jobs/" + id).raw().body()).doesNotContain(token, apiKey);
    assertThat(tenant.get("/api/v1/jobs").raw().body()).doesNotContain(token, apiKey);
    Api.Response replay =
        tenant.post(
            "/api/v1/jobs",
            job("secret", "/ok", secretHeaders()),
            Map.of("Idempotency-Key", "create-secret"));
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.raw().body()).doesNotContain(token, apiKey);

    // The target gets the real values.
    TargetServer.Delivery first = target.triggerAndReceive(tenant, id);
    assertThat(first.header("Authorization")).isEqualTo(token);
    assertThat(first.header("X-Api-Key")).isEqualTo(apiKey);

    // GET, change a field, PUT back what was shown: the secrets are kept.
    ObjectNode shown = (ObjectNode) tenant.get("/api/v1/jobs/" + id).body();
    shown.put("description", "edited after a GET");
    Api.Response put = tenant.put("/api/v1/jobs/" + id, shown, Map.of());
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    assertThat(put.body().path("description").asString()).isEqualTo("edited after a GET");
    TargetServer.Delivery afterPut = target.triggerAndReceive(tenant, id);
    assertThat(afterPut.header("Authorization")).isEqualTo(token);

    // A merge patch that sends the stars back keeps the value; a new value replaces it.
    Api.Response patched =
        tenant.patch(
            "/api/v1/jobs/" + id,
            Map.of("target", Map.of("headers", Map.of("Authorization", "***", "X-Api-Key", "new"))),
            Map.of("Content-Type", "application/merge-patch+json"));
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    TargetServer.Delivery afterPatch = target.triggerAndReceive(tenant, id);
    assertThat(afterPatch.header("Authorization")).isEqualTo(token);
    assertThat(afterPatch.header("X-Api-Key")).isEqualTo("new");

    // Run records and the log (dev.punctual at DEBUG) never carry the values.
    String runs = tenant.get("/api/v1/jobs/" + id + "/runs").raw().body();
    assertThat(runs).contains(afterPatch.runId()).doesNotContain(token, apiKey);
    assertThat(output.getAll()).doesNotContain(token, apiKey);
  }

  @Test
  void theStarsCannotBeStoredAsAValue() {
    Api tenant = newTenant();
    Api.Response created =
        tenant.post("/api/v1/jobs", job("stars", "/ok", Map.of("Authorization", "***")));
    assertThat(created.status()).isEqualTo(400);
    assertThat(created.errorsFor("target.headers.Authorization").get(0)).contains("real value");

    // A PUT that sends stars for a header the job never had is refused the same way.
    Api.Response plain = tenant.post("/api/v1/jobs", job("plain", "/ok", Map.of()));
    String id = plain.body().path("id").asString();
    Api.Response put =
        tenant.put(
            "/api/v1/jobs/" + id, job("plain", "/ok", Map.of("X-Auth-Token", "***")), Map.of());
    assertThat(put.status()).isEqualTo(400);
    assertThat(put.errorsFor("target.headers.X-Auth-Token")).isNotEmpty();
  }

  @Test
  void credentialsInTheUrlAreRefused() {
    Api tenant = newTenant();
    Api.Response created =
        tenant.post(
            "/api/v1/jobs",
            Map.of(
                "name",
                "userinfo",
                "schedule",
                Map.of("cron", "0 0 1 1 *"),
                "target",
                Map.of("url", "https://user:hunter2@example.com/hook")));
    assertThat(created.status()).isEqualTo(400);
    assertThat(created.errorsFor("target.url").get(0)).contains("credentials");
    assertThat(created.raw().body()).doesNotContain("hunter2");
  }
}
