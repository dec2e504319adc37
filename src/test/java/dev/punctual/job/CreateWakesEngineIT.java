package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A job created due within seconds fires on time although the engine would not look for it before
 * its next poll: the create wakes every engine (a NOTIFY in the create's own statement, or at the
 * commit of a create with an Idempotency-Key). The node polls once a minute here, so a lost wake-up
 * shows as a fire a minute late.
 */
class CreateWakesEngineIT {
  private static final String ADMIN = "wake-admin-" + UUID.randomUUID();
  private static Node node;
  private static TargetServer target;
  private static Api tenant;

  @BeforeAll
  static void start() throws Exception {
    target = new TargetServer();
    node =
        Node.start(
            Map.of(
                "punctual.database-url", "",
                "punctual.admin-key", ADMIN,
                "punctual.data-dir", Files.createTempDirectory("punctual-wake").toString(),
                "punctual.egress-allow", "127.0.0.0/8",
                "punctual.engine.poll-interval", "60s"));
    Api.Response created = node.api(ADMIN).post("/api/v1/tenants", Map.of("name", "wake"));
    tenant = node.api(created.body().path("apiKey").path("key").asString());
  }

  @AfterAll
  static void stop() {
    node.close();
    target.close();
  }

  @Test
  void aJobDueInTwoSecondsFiresOnTimeWithOrWithoutAnIdempotencyKey() {
    String plain = create("plain", Map.of());
    String keyed = create("keyed", Map.of("Idempotency-Key", UUID.randomUUID().toString()));
    // Due 2 s after the create; the next poll is up to a minute away.
    await("both delivered")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                target.deliveries(d -> d.header("X-Punctual-Job-Id").equals(plain)).size() == 1
                    && target.deliveries(d -> d.header("X-Punctual-Job-Id").equals(keyed)).size()
                        == 1);
  }

  private String create(String name, Map<String, String> headers) {
    Api.Response created =
        tenant.post(
            "/api/v1/jobs",
            Map.of(
                "name",
                name,
                "schedule",
                Map.of("at", Instant.now().plusSeconds(2).toString()),
                "target",
                Map.of("url", target.url("/hook"))),
            headers);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.body().path("id").asString();
  }
}
