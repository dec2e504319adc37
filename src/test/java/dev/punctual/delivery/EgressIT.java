package dev.punctual.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A node with the default egress rules: no loopback, no metadata address, checked twice. */
class EgressIT {

  @Test
  void deniedAddressesAreRefusedAtWriteAndBlockedAtDelivery() throws Exception {
    try (TargetServer target = new TargetServer();
        Node node =
            Node.start(
                Map.of(
                    "punctual.database-url", "",
                    "punctual.admin-key", "egress-admin",
                    "punctual.data-dir",
                        Files.createTempDirectory("punctual-egress").toString()))) {
      Api admin = node.api("egress-admin");
      Api tenant =
          admin.as(
              admin
                  .post("/api/v1/tenants", Map.of("name", "egress"))
                  .body()
                  .path("apiKey")
                  .path("key")
                  .asString());

      // Literal addresses are refused when the job is written.
      for (String url :
          new String[] {
            "http://169.254.169.254/latest/meta-data/",
            target.url("/ok"),
            "http://[::1]:8080/x",
            "http://0.0.0.0/x"
          }) {
        Api.Response refused = tenant.post("/api/v1/jobs", job("literal", url));
        assertThat(refused.status()).as(url).isEqualTo(400);
        assertThat(refused.errorsFor("target.url"))
            .as(url)
            .anyMatch(m -> m.contains("may not reach"));
      }

      // A name is checked when it resolves, at each delivery: localhost resolves to loopback.
      String url = target.url("/ok").replace("127.0.0.1", "localhost");
      Api.Response created = tenant.post("/api/v1/jobs", job("by-name", url));
      assertThat(created.status()).isEqualTo(201);
      String jobId = created.body().path("id").asString();
      String runId =
          tenant.post("/api/v1/jobs/" + jobId + "/trigger", null).body().path("id").asString();
      await("the denied run FAILED as blocked")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  tenant
                      .get("/api/v1/runs/" + runId)
                      .body()
                      .path("status")
                      .asString()
                      .equals("FAILED"));
      Api.Response run = tenant.get("/api/v1/runs/" + runId);
      assertThat(run.body().path("error").asString())
          .startsWith("egress denied: localhost resolves to")
          .contains("loopback");
      assertThat(run.body().path("attempts").asInt()).isEqualTo(1); // not retried
      assertThat(target.deliveries()).isEmpty();
      assertThat(admin.get("/actuator/prometheus").raw().body())
          .contains("punctual_deliveries_total{outcome=\"blocked\"}");

      // Broker hosts likewise: a literal loopback address at write, a name at connect.
      Map<String, Object> amqpLiteral =
          Map.of("type", "amqp", "url", "amqp://guest:guest@127.0.0.1:5672/", "routingKey", "q");
      Api.Response refusedBroker =
          tenant.post(
              "/api/v1/jobs",
              Map.of(
                  "name",
                  "amqp-literal",
                  "schedule",
                  Map.of("cron", "0 0 1 1 *"),
                  "target",
                  amqpLiteral));
      assertThat(refusedBroker.status()).isEqualTo(400);
      assertThat(refusedBroker.errorsFor("target.url")).anyMatch(m -> m.contains("may not reach"));
      for (Map<String, Object> byName :
          List.<Map<String, Object>>of(
              Map.of(
                  "type", "amqp", "url", "amqp://guest:guest@localhost:5672/", "routingKey", "q"),
              Map.of("type", "redis", "url", "redis://localhost:6379/0", "stream", "s"),
              Map.of("type", "nats", "url", "nats://localhost:4222", "subject", "s"))) {
        String type = (String) byName.get("type");
        Api.Response broker =
            tenant.post(
                "/api/v1/jobs",
                Map.of(
                    "name",
                    type + "-by-name",
                    "schedule",
                    Map.of("cron", "0 0 1 1 *"),
                    "target",
                    byName));
        assertThat(broker.status()).as(broker.toString()).isEqualTo(201);
        String brokerRun =
            tenant
                .post("/api/v1/jobs/" + broker.body().path("id").asString() + "/trigger", null)
                .body()
                .path("id")
                .asString();
        await("the rebinding run FAILED as blocked")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    tenant
                        .get("/api/v1/runs/" + brokerRun)
                        .body()
                        .path("status")
                        .asString()
                        .equals("FAILED"));
        JsonNode failed = tenant.get("/api/v1/runs/" + brokerRun).body();
        assertThat(failed.path("error").asString())
            .as(type)
            .startsWith("egress denied: localhost resolves to");
        assertThat(failed.path("attempts").asInt()).as(type).isEqualTo(1);
      }
    }
  }

  private static Map<String, Object> job(String name, String url) {
    return Map.of(
        "name", name,
        "schedule", Map.of("at", Instant.now().plusSeconds(3600).toString()),
        "target", Map.of("url", url));
  }
}
