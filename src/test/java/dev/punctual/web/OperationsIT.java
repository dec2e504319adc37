package dev.punctual.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import org.junit.jupiter.api.Test;

class OperationsIT extends ApiTestBase {

  @Test
  void probesAreUpWithoutAKey() {
    Api.Response liveness = anonymous.get("/actuator/health/liveness");
    assertThat(liveness.status()).isEqualTo(200);
    assertThat(liveness.body().path("status").asString()).isEqualTo("UP");
    Api.Response readiness = anonymous.get("/actuator/health/readiness");
    assertThat(readiness.status()).isEqualTo(200);
    assertThat(readiness.body().path("status").asString()).isEqualTo("UP");
  }

  @Test
  void prometheusShowsRequestAndPoolMetrics() {
    newTenant().get("/api/v1/jobs");
    Api.Response metrics = anonymous.get("/actuator/prometheus");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.raw().body())
        .contains("http_server_requests_seconds_count")
        .contains("hikaricp_connections_active")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void openApiDocumentDescribesTheApi() {
    Api.Response doc = anonymous.get("/v3/api-docs");
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.body().path("openapi").asString()).startsWith("3.");
    for (String path :
        new String[] {
          "/api/v1/jobs",
          "/api/v1/jobs/{id}",
          "/api/v1/jobs/{id}/pause",
          "/api/v1/jobs/{id}/resume",
          "/api/v1/tenants",
          "/api/v1/tenants/{name}/keys",
          "/api/v1/tenants/{name}/keys/{keyId}",
          "/api/v1/schedules/preview"
        }) {
      assertThat(doc.body().path("paths").has(path)).as(path).isTrue();
    }
    assertThat(doc.body().path("components").path("securitySchemes").has("bearer")).isTrue();
    Api.Response ui = anonymous.get("/swagger-ui/index.html");
    assertThat(ui.status()).isEqualTo(200);
  }

  @Test
  void prometheusShowsTheEnginesMetrics() throws Exception {
    try (dev.punctual.support.TargetServer target = new dev.punctual.support.TargetServer()) {
      Api tenant = newTenant();
      Api.Response job =
          tenant.post(
              "/api/v1/jobs",
              java.util.Map.of(
                  "name", "metered",
                  "schedule",
                      java.util.Map.of("at", java.time.Instant.now().plusMillis(300).toString()),
                  "target", java.util.Map.of("url", target.url("/ok"))));
      String id = job.body().path("id").asString();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(
              () ->
                  tenant
                      .get("/api/v1/jobs/" + id)
                      .body()
                      .path("lastRun")
                      .path("status")
                      .asString()
                      .equals("SUCCEEDED"));
      String metrics = anonymous.get("/actuator/prometheus").raw().body();
      assertThat(metrics)
          .contains("punctual_fire_lag_seconds_bucket")
          .contains("punctual_fires_total{outcome=\"fired\"}")
          .contains("punctual_deliveries_total{outcome=\"success\"}")
          .contains("punctual_delivery_duration_seconds_count")
          .contains("punctual_claim_duration_seconds_count")
          .contains("punctual_claim_batch_size_count")
          .contains("punctual_fire_batch_size_count")
          .contains("punctual_runs_in_flight")
          .contains("punctual_nodes_live");
    }
  }
}
