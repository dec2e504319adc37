package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.StandardWebhooks;
import dev.punctual.support.TargetServer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Punctual's webhook signatures checked by an implementation it does not share code with: the
 * {@code standardwebhooks} npm package (src/test/node), before and during a secret rotation.
 */
class SignatureCompatibilityIT extends ApiTestBase {
  @BeforeAll
  static void installTheReferencePackage() throws Exception {
    StandardWebhooks.install();
  }

  private static String verify(String secret, TargetServer.Delivery d, String body)
      throws Exception {
    return StandardWebhooks.verify(secret, d, body);
  }

  @Test
  void signaturesVerifyWithTheReferenceImplementationAcrossARotation() throws Exception {
    try (TargetServer target = new TargetServer()) {
      NewTenant created = newTenantWithSecret();
      Api tenant = created.api();
      String first = created.signingSecret();
      String jobId =
          tenant
              .post(
                  "/api/v1/jobs",
                  Map.of(
                      "name", "signed",
                      "schedule", Map.of("at", Instant.now().plusSeconds(3600).toString()),
                      "target",
                          Map.of(
                              "url",
                              target.url("/ok"),
                              "body",
                              "{\"report\":\"daily\",\"note\":\"ünïcödé\"}")))
              .body()
              .path("id")
              .asString();

      TargetServer.Delivery before = target.triggerAndReceive(tenant, jobId);
      assertThat(verify(first, before, before.body())).isEqualTo("verified");
      // The check can fail: another secret, or a body changed on the way, is rejected.
      String stranger = newTenantWithSecret().signingSecret();
      assertThat(verify(stranger, before, before.body())).startsWith("rejected");
      assertThat(verify(first, before, before.body() + " ")).startsWith("rejected");

      String tenantName = tenant.get("/api/v1/whoami").body().path("tenant").asString();
      String second =
          admin
              .post("/api/v1/tenants/" + tenantName + "/signing-secrets", null)
              .body()
              .path("signingSecret")
              .asString();
      TargetServer.Delivery during = target.triggerAndReceive(tenant, jobId);
      // During the rotation a target holding either secret accepts the delivery.
      assertThat(verify(first, during, during.body())).isEqualTo("verified");
      assertThat(verify(second, during, during.body())).isEqualTo("verified");
    }
  }
}
