package dev.punctual.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class TenantApiIT extends ApiTestBase {

  private static String uniqueName() {
    return "billing-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void createTenantReturnsItsKeyAndSigningSecretOnce() {
    String name = uniqueName();
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));

    assertThat(created.status()).isEqualTo(201);
    JsonNode body = created.body();
    assertThat(body.path("name").asString()).isEqualTo(name);
    assertThat(body.path("createdAt").asString()).endsWith("Z");
    assertThat(body.path("apiKey").path("id").asString()).hasSize(16);
    String key = body.path("apiKey").path("key").asString();
    assertThat(key).startsWith("pk_" + body.path("apiKey").path("id").asString() + "_");
    // 256 random bits, base64url: 43 characters of secret.
    assertThat(key.length()).isGreaterThanOrEqualTo(3 + 16 + 1 + 43);
    String secret = body.path("signingSecret").asString();
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);

    // The key works, and the list shows neither the key nor the secret again.
    assertThat(admin.as(key).get("/api/v1/jobs").status()).isEqualTo(200);
    Api.Response list = admin.get("/api/v1/tenants");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.raw().body()).contains(name).doesNotContain(key).doesNotContain(secret);
  }

  @Test
  void duplicateNameIsAConflict() {
    String name = uniqueName();
    assertThat(admin.post("/api/v1/tenants", Map.of("name", name)).status()).isEqualTo(201);
    Api.Response again = admin.post("/api/v1/tenants", Map.of("name", name));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.contentType()).startsWith("application/problem+json");
  }

  @Test
  void invalidNamesAreRejectedNamingTheField() {
    for (Object bad :
        new Object[] {"", "Billing", "1billing", "bill_ing", "a".repeat(64), 42, "bill ing"}) {
      Api.Response response = admin.post("/api/v1/tenants", Map.of("name", bad));
      assertThat(response.status()).as("name %s", bad).isEqualTo(400);
      assertThat(response.errorsFor("name")).as("name %s", bad).isNotEmpty();
    }
    Api.Response missing = admin.post("/api/v1/tenants", Map.of());
    assertThat(missing.errorsFor("name")).containsExactly("is required");
    Api.Response unknown = admin.post("/api/v1/tenants", Map.of("name", uniqueName(), "x", 1));
    assertThat(unknown.errorsFor("x")).containsExactly("is not a known field");
  }

  @Test
  void missingOrUnknownKeysAre401AndTenantKeysOnAdminEndpointsAre403() {
    assertThat(anonymous.get("/api/v1/tenants").status()).isEqualTo(401);
    assertThat(anonymous.get("/api/v1/tenants").header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(anonymous.get("/api/v1/jobs").status()).isEqualTo(401);
    assertThat(admin.as("nonsense").get("/api/v1/jobs").status()).isEqualTo(401);
    assertThat(admin.as("pk_0123456789abcdef_wrongsecret").get("/api/v1/jobs").status())
        .isEqualTo(401);
    Api.Response noBearer =
        anonymous.send("GET", "/api/v1/jobs", null, Map.of("Authorization", "Basic Zm9vOmJhcg=="));
    assertThat(noBearer.status()).isEqualTo(401);
    assertThat(noBearer.contentType()).startsWith("application/problem+json");

    Api tenant = newTenant();
    assertThat(tenant.get("/api/v1/tenants").status()).isEqualTo(403);
    assertThat(tenant.post("/api/v1/tenants", Map.of("name", uniqueName())).status())
        .isEqualTo(403);
    // The admin key owns no jobs.
    assertThat(admin.get("/api/v1/jobs").status()).isEqualTo(403);
  }

  @Test
  void aSecondKeyWorksAndARevokedKeyStopsAtOnce() {
    String name = uniqueName();
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));
    Api first = admin.as(created.body().path("apiKey").path("key").asString());
    String firstId = created.body().path("apiKey").path("id").asString();

    Api.Response added = admin.post("/api/v1/tenants/" + name + "/keys", null);
    assertThat(added.status()).isEqualTo(201);
    assertThat(added.body().path("createdAt").asString()).endsWith("Z");
    Api second = admin.as(added.body().path("key").asString());
    assertThat(second.get("/api/v1/jobs").status()).isEqualTo(200);
    assertThat(first.get("/api/v1/jobs").status()).isEqualTo(200); // cached now

    assertThat(admin.delete("/api/v1/tenants/" + name + "/keys/" + firstId).status())
        .isEqualTo(204);
    assertThat(first.get("/api/v1/jobs").status()).isEqualTo(401);
    assertThat(second.get("/api/v1/jobs").status()).isEqualTo(200);
    assertThat(admin.delete("/api/v1/tenants/" + name + "/keys/" + firstId).status())
        .isEqualTo(404);
  }

  @Test
  void rotatingTheSigningSecretReturnsTheNewOneOnceAndWhenTheOldOneRetires() {
    String name = uniqueName();
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));
    String first = created.body().path("signingSecret").asString();
    Api.Response rotated = admin.post("/api/v1/tenants/" + name + "/signing-secrets", null);
    assertThat(rotated.status()).isEqualTo(201);
    String second = rotated.body().path("signingSecret").asString();
    assertThat(second).startsWith("whsec_").isNotEqualTo(first);
    assertThat(Base64.getDecoder().decode(second.substring(6))).hasSize(32);
    assertThat(rotated.body().path("previousValidUntil").asString()).endsWith("Z");
    assertThat(admin.get("/api/v1/tenants").raw().body()).doesNotContain(second);
    Api tenant = admin.as(created.body().path("apiKey").path("key").asString());
    assertThat(tenant.post("/api/v1/tenants/" + name + "/signing-secrets", null).status())
        .isEqualTo(403);
    assertThat(admin.post("/api/v1/tenants/no-such-tenant-x/signing-secrets", null).status())
        .isEqualTo(404);
  }

  @Test
  void keysOfUnknownTenantsAre404() {
    assertThat(admin.post("/api/v1/tenants/no-such-tenant-x/keys", null).status()).isEqualTo(404);
    assertThat(admin.delete("/api/v1/tenants/no-such-tenant-x/keys/0123456789abcdef").status())
        .isEqualTo(404);
  }

  @Test
  void aTenantCannotRevokeAnotherTenantsKeyThroughTheAdminPath() {
    String a = uniqueName();
    String b = uniqueName();
    Api.Response createdA = admin.post("/api/v1/tenants", Map.of("name", a));
    admin.post("/api/v1/tenants", Map.of("name", b));
    String keyOfA = createdA.body().path("apiKey").path("id").asString();
    // The key belongs to a, not b: revoking it under b's name finds nothing.
    assertThat(admin.delete("/api/v1/tenants/" + b + "/keys/" + keyOfA).status()).isEqualTo(404);
    assertThat(
            admin
                .as(createdA.body().path("apiKey").path("key").asString())
                .get("/api/v1/jobs")
                .status())
        .isEqualTo(200);
  }

  @Test
  void whoamiNamesTheCaller() {
    String name = uniqueName();
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));
    Api tenant = admin.as(created.body().path("apiKey").path("key").asString());
    Api.Response me = tenant.get("/api/v1/whoami");
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.body().path("kind").asString()).isEqualTo("TENANT");
    assertThat(me.body().path("tenant").asString()).isEqualTo(name);
    assertThat(admin.get("/api/v1/whoami").body().path("kind").asString()).isEqualTo("ADMIN");
    assertThat(anonymous.get("/api/v1/whoami").status()).isEqualTo(401);
  }
}
