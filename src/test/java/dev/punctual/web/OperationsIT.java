package dev.punctual.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;

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
  void prometheusShowsBothPools() {
    assertThat(anonymous.get("/actuator/prometheus").raw().body())
        .contains("hikaricp_connections_active{pool=\"punctual\"")
        .contains("hikaricp_connections_active{pool=\"punctual-engine\"");
  }

  @Autowired DataSource dataSource;

  @Autowired
  @Qualifier("engineDataSource")
  DataSource engineDataSource;

  /**
   * The engine's sessions plan every execution (a generic plan made on a small runs table once made
   * its outcome writes take seconds: PlanCacheIT); the API's keep PostgreSQL's default, where a
   * GET's planning would cost more than its execution.
   */
  @Test
  void theEnginePoolPlansEveryStatementTheApiPoolKeepsTheDefault() {
    String sql = "select setting from pg_settings where name = 'plan_cache_mode'";
    assertThat(JdbcClient.create(engineDataSource).sql(sql).query(String.class).single())
        .isEqualTo("force_custom_plan");
    assertThat(JdbcClient.create(dataSource).sql(sql).query(String.class).single())
        .isEqualTo("auto");
    String timeout =
        "select setting from pg_settings where name = 'idle_in_transaction_session_timeout'";
    assertThat(JdbcClient.create(engineDataSource).sql(timeout).query(String.class).single())
        .isEqualTo("5000");
    assertThat(JdbcClient.create(dataSource).sql(timeout).query(String.class).single())
        .isEqualTo("5000");
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
    assertThat(doc.body().path("openapi").asString()).isEqualTo("3.1.0");
    assertThat(anonymous.get("/v3/api-docs.yaml").raw().body()).startsWith("openapi: 3.1.0");
    // Swagger UI, served from the bundled webjar (no CDN) on this node's document.
    assertThat(anonymous.get("/swagger-ui.html").raw().body()).contains("/swagger-ui-init.js");
    assertThat(anonymous.get("/swagger-ui-init.js").raw().body()).contains("/v3/api-docs");
    assertThat(anonymous.get("/webjars/swagger-ui/swagger-ui-bundle.js").status()).isEqualTo(200);
  }

  @Test
  void prometheusShowsTheEnginesMetrics() throws Exception {
    try (TargetServer target = new TargetServer()) {
      Api tenant = newTenant();
      Api.Response job =
          tenant.post(
              "/api/v1/jobs",
              Map.of(
                  "name", "metered",
                  "schedule", Map.of("at", Instant.now().plusMillis(300).toString()),
                  "target", Map.of("url", target.url("/ok"))));
      String id = job.body().path("id").asString();
      Awaitility.await("the metric appears")
          .atMost(Duration.ofSeconds(10))
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
