package dev.punctual.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Read and write keys, expiring keys and a key's last use: a read key is refused (403) on every
 * operation of the OpenAPI document that changes something, walked from the document itself, and on
 * none that reads; a write key is never refused for its scope; an expired key is a 401.
 */
class ScopedKeysIT extends ApiTestBase {
  private static final Set<String> CHANGING = Set.of("post", "put", "patch", "delete");
  private static final String READ_SCOPE_REFUSAL = "scope is read";

  @Test
  void aReadKeyIsRefusedOnEveryChangeOfTheOpenApiDocumentAndOnNoRead() {
    String tenantName = "scoped-" + UUID.randomUUID().toString().substring(0, 8);
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", tenantName));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().path("apiKey").path("scope").asString()).isEqualTo("write");
    Api write = admin.as(created.body().path("apiKey").path("key").asString());

    Api.Response readKey =
        admin.post("/api/v1/tenants/" + tenantName + "/keys", Map.of("scope", "read"));
    assertThat(readKey.status()).as(readKey.toString()).isEqualTo(201);
    assertThat(readKey.body().path("scope").asString()).isEqualTo("read");
    assertThat(readKey.body().path("expiresAt").isNull()).isTrue();
    Api read = admin.as(readKey.body().path("key").asString());

    // Something to read: a job of the tenant's.
    Api.Response job = write.post("/api/v1/jobs", cronJob("nightly"));
    assertThat(job.status()).isEqualTo(201);
    String jobId = job.body().path("id").asString();

    JsonNode whoami = read.get("/api/v1/whoami").body();
    assertThat(whoami.path("scope").asString()).isEqualTo("read");
    assertThat(whoami.path("keyId").asString()).isEqualTo(readKey.body().path("id").asString());
    assertThat(read.get("/api/v1/jobs/" + jobId).status()).isEqualTo(200);

    JsonNode paths = admin.get("/v3/api-docs").body().path("paths");
    List<String> refusedWrites = new ArrayList<>();
    List<String> readsAllowed = new ArrayList<>();
    for (var path : paths.properties()) {
      String concrete =
          path.getKey()
              .replace("{id}", jobId)
              .replace("{name}", tenantName)
              .replace("{keyId}", "0123456789abcdef")
              .replace("{runId}", "1");
      for (var operation : path.getValue().properties()) {
        String method = operation.getKey();
        if (!Set.of("get", "head", "post", "put", "patch", "delete").contains(method)) {
          continue;
        }
        String name = method.toUpperCase() + " " + path.getKey();
        boolean changes = CHANGING.contains(method) && !path.getKey().endsWith("/preview");
        Api.Response byRead = send(read, method, concrete);
        Api.Response byWrite = send(write, method, concrete);
        assertThat(refusedForScope(byWrite)).as(name + " with a write key: " + byWrite).isFalse();
        if (changes) {
          assertThat(byRead.status()).as(name + " with a read key: " + byRead).isEqualTo(403);
          assertThat(refusedForScope(byRead)).as(name + ": " + byRead).isTrue();
          refusedWrites.add(name);
        } else {
          assertThat(refusedForScope(byRead)).as(name + " with a read key: " + byRead).isFalse();
          readsAllowed.add(name);
        }
      }
    }
    assertThat(refusedWrites).hasSizeGreaterThanOrEqualTo(15).contains("DELETE /api/v1/jobs/{id}");
    assertThat(readsAllowed).contains("GET /api/v1/jobs", "POST /api/v1/schedules/preview");
    // The walk's changes by the write key (pause, delete...) went through; the read key's did not
    // stop the job from being there for the reads above.

    // Last use: the read key was used just now; a key never used shows none.
    Api.Response unused = admin.post("/api/v1/tenants/" + tenantName + "/keys", null);
    assertThat(unused.status()).isEqualTo(201);
    assertThat(unused.body().path("scope").asString()).isEqualTo("write");
    JsonNode keys = keysOf(tenantName);
    JsonNode readView = keyView(keys, readKey.body().path("id").asString());
    assertThat(readView.path("scope").asString()).isEqualTo("read");
    assertThat(Instant.parse(readView.path("lastUsedAt").asString()))
        .isAfter(Instant.now().minus(Duration.ofMinutes(2)));
    assertThat(keyView(keys, unused.body().path("id").asString()).path("lastUsedAt").isNull())
        .isTrue();
  }

  @Test
  void anExpiringKeyWorksUntilItsTimeThenIsA401() {
    String tenantName = "expiring-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(admin.post("/api/v1/tenants", Map.of("name", tenantName)).status()).isEqualTo(201);
    Instant expiresAt = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
    Api.Response created =
        admin.post(
            "/api/v1/tenants/" + tenantName + "/keys", Map.of("expiresAt", expiresAt.toString()));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(Instant.parse(created.body().path("expiresAt").asString())).isEqualTo(expiresAt);
    Api key = admin.as(created.body().path("key").asString());
    assertThat(key.get("/api/v1/jobs").status()).isEqualTo(200);
    await("the key expires")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> key.get("/api/v1/jobs").status() == 401);
    assertThat(Instant.now()).isAfterOrEqualTo(expiresAt);
    // The key stays listed, with its expiry, after it expired.
    assertThat(
            Instant.parse(
                keyView(keysOf(tenantName), created.body().path("id").asString())
                    .path("expiresAt")
                    .asString()))
        .isEqualTo(expiresAt);
  }

  @Test
  void badKeyRequestsAre400NamingTheField() {
    String tenantName = "badkeys-" + UUID.randomUUID().toString().substring(0, 8);
    assertThat(admin.post("/api/v1/tenants", Map.of("name", tenantName)).status()).isEqualTo(201);
    String keys = "/api/v1/tenants/" + tenantName + "/keys";
    assertThat(admin.post(keys, Map.of("scope", "admin")).errorsFor("scope")).isNotEmpty();
    assertThat(admin.post(keys, Map.of("scope", 1)).errorsFor("scope")).isNotEmpty();
    assertThat(admin.post(keys, Map.of("expiresAt", "2020-01-01T00:00:00Z")).errorsFor("expiresAt"))
        .containsExactly("must be in the future");
    assertThat(admin.post(keys, Map.of("expiresAt", "tomorrow")).errorsFor("expiresAt"))
        .isNotEmpty();
    assertThat(admin.post(keys, Map.of("role", "read")).errorsFor("role")).isNotEmpty();
    assertThat(admin.post(keys, List.of()).status()).isEqualTo(400);
    // None of them made a key: the tenant still has its first one only.
    assertThat(keysOf(tenantName)).hasSize(1);
  }

  private JsonNode keysOf(String tenantName) {
    for (JsonNode tenant : admin.get("/api/v1/tenants").body().path("items")) {
      if (tenant.path("name").asString().equals(tenantName)) {
        return tenant.path("keys");
      }
    }
    throw new AssertionError("no tenant " + tenantName);
  }

  private static JsonNode keyView(JsonNode keys, String id) {
    for (JsonNode key : keys) {
      if (key.path("id").asString().equals(id)) {
        return key;
      }
    }
    throw new AssertionError("no key " + id + " in " + keys);
  }

  private static Api.Response send(Api api, String method, String path) {
    Object body = Set.of("post", "put", "patch").contains(method) ? Map.of() : null;
    Map<String, String> headers =
        method.equals("patch")
            ? Map.of("Content-Type", "application/merge-patch+json", "If-Match", "\"0\"")
            : Map.of();
    return api.send(method.toUpperCase(), path, body, headers);
  }

  private static boolean refusedForScope(Api.Response r) {
    return r.status() == 403 && r.body().path("detail").asString("").contains(READ_SCOPE_REFUSAL);
  }
}
