package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Punctual's webhook signatures checked by an implementation it does not share code with: the
 * {@code standardwebhooks} npm package (src/test/node), before and during a secret rotation.
 */
class SignatureCompatibilityIT extends ApiTestBase {
  private static final File NODE_DIR = new File("src/test/node");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @BeforeAll
  static void installTheReferencePackage() throws Exception {
    if (!new File(NODE_DIR, "node_modules/standardwebhooks").isDirectory()) {
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(NODE_DIR)
              .redirectErrorStream(true)
              .start();
      String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(npm.waitFor(120, TimeUnit.SECONDS) && npm.exitValue() == 0)
          .as("npm ci in src/test/node: %s", out)
          .isTrue();
    }
  }

  /** Runs the reference verifier; returns its verdict line ("verified" or "rejected: ..."). */
  private static String verify(String secret, TargetServer.Delivery d, String body)
      throws IOException, InterruptedException {
    Process node = new ProcessBuilder("node", "verify.js").directory(NODE_DIR).start();
    node.getOutputStream()
        .write(
            JSON.writeValueAsBytes(
                Map.of(
                    "secret", secret,
                    "headers",
                        Map.of(
                            "webhook-id", d.header("webhook-id"),
                            "webhook-timestamp", d.header("webhook-timestamp"),
                            "webhook-signature", d.header("webhook-signature")),
                    "body", body)));
    node.getOutputStream().close();
    String verdict =
        new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return verdict;
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
