package dev.punctual.overview;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/v1/overview}, {@code /api/v1/jobs/recent-outcomes} and {@code /api/v1/nodes}. */
class OverviewIT extends ApiTestBase {

  private static Map<String, Object> oneShot(String name, String url) {
    return Map.of(
        "name", name,
        "schedule", Map.of("at", Instant.now().toString()),
        "target", Map.of("url", url),
        "retry", Map.of("maxAttempts", 1));
  }

  @Test
  void theOverviewCountsTheTenantsRunsAndListsWhatNeedsAttention() throws Exception {
    Api tenant = newTenant();
    Api other = newTenant();
    try (TargetServer target = new TargetServer()) {
      String ok =
          tenant
              .post("/api/v1/jobs", oneShot("ok", target.url("/ok")))
              .body()
              .path("id")
              .asString();
      String bad =
          tenant
              .post("/api/v1/jobs", oneShot("bad", target.url("/status/500")))
              .body()
              .path("id")
              .asString();
      other.post("/api/v1/jobs", oneShot("others", target.url("/status/500")));
      tenant.post("/api/v1/jobs", cronJob("later"));
      await("three deliveries, two runs finished")
          .atMost(Duration.ofSeconds(30))
          .until(() -> target.deliveries().size() >= 3 && finished(tenant) == 2);

      JsonNode overview = tenant.get("/api/v1/overview").body();
      assertThat(overview.path("lastHour").path("succeeded").asLong())
          .as(overview.toString())
          .isEqualTo(1);
      assertThat(overview.path("lastHour").path("failed").asLong()).isEqualTo(1);
      assertThat(overview.path("lastDay").path("failed").asLong()).isEqualTo(1);
      assertThat(overview.path("lastHour").path("buckets")).hasSize(12);
      assertThat(overview.path("lastDay").path("buckets")).hasSize(24);
      long inBuckets = 0;
      for (JsonNode b : overview.path("lastDay").path("buckets")) {
        inBuckets += b.path("succeeded").asLong() + b.path("failed").asLong();
      }
      assertThat(inBuckets).isEqualTo(2);
      assertThat(overview.path("lag").path("runs").asLong()).isEqualTo(2);
      assertThat(overview.path("lag").path("p99Ms").asLong()).isBetween(0L, 30_000L);
      assertThat(overview.path("nextJobs").get(0).path("name").asString()).isEqualTo("later");
      assertThat(overview.path("attention")).hasSize(1);
      assertThat(overview.path("attention").get(0).path("id").asString()).isEqualTo(bad);
      assertThat(overview.path("runsWaiting").asLong()).isZero();

      Api.Response outcomes = tenant.get("/api/v1/jobs/recent-outcomes?id=" + ok + "&id=" + bad);
      assertThat(outcomes.body().path(ok).get(0).asString()).isEqualTo("SUCCEEDED");
      assertThat(outcomes.body().path(bad).get(0).asString()).isEqualTo("FAILED");
      // Another tenant's job answers as one without runs: nothing is told.
      assertThat(other.get("/api/v1/jobs/recent-outcomes?id=" + ok).body().path(ok)).isEmpty();
      assertThat(tenant.get("/api/v1/jobs/recent-outcomes").errorsFor("id")).isNotEmpty();
      assertThat(tenant.get("/api/v1/jobs/recent-outcomes?id=x").errorsFor("id")).isNotEmpty();
      assertThat(tenant.get("/api/v1/jobs/recent-outcomes?id=1&limit=0").errorsFor("limit"))
          .isNotEmpty();
    }
  }

  private static long finished(Api tenant) {
    long n = 0;
    for (JsonNode job : tenant.get("/api/v1/jobs").body().path("items")) {
      String status = job.path("lastRun").path("status").asString("");
      if (status.equals("SUCCEEDED") || status.equals("FAILED")) {
        n++;
      }
    }
    return n;
  }

  @org.springframework.beans.factory.annotation.Autowired private JdbcClient jdbc;

  @org.springframework.beans.factory.annotation.Autowired private RunStats runStats;

  /**
   * Minutes counted into run_stats and minutes counted live add up to the same figures: runs that
   * finished 2 to 9 minutes ago (inserted, as the engine would have written them), counted once by
   * RunStats, and the lag read from the histogram.
   */
  @Test
  void countedMinutesAndLiveMinutesAddUp() {
    Api tenant = newTenant();
    String jobId = tenant.post("/api/v1/jobs", cronJob("counted")).body().path("id").asString();
    long tenantId =
        jdbc.sql("select tenant_id from jobs where id = :id")
            .param("id", Long.parseLong(jobId))
            .query(Long.class)
            .single();
    // 8 minutes of runs, 10 a minute: one failed and one skipped a minute, lag 20 ms each.
    jdbc.sql(
            """
            insert into runs (job_id, tenant_id, scheduled_for, trigger, status, attempts,
                              started_at, finished_at)
            select :job, :tenant, t.at, 'SCHEDULE',
                   case g % 10 when 0 then 'FAILED' when 1 then 'SKIPPED' else 'SUCCEEDED' end, 1,
                   case when g % 10 <> 1 then t.at + interval '20 ms' end, t.at + interval '50 ms'
            from generate_series(1, 80) g
            cross join lateral (select now() - interval '9 minutes' + g * interval '6 seconds' as at) t
            """)
        .param("job", Long.parseLong(jobId))
        .param("tenant", tenantId)
        .update();
    // Runs are stamped when they finish, after the minutes counted so far; these are stamped in
    // the past, so the progress moves back over them first, as an operator's reset would.
    jdbc.sql("update run_stats_progress set counted_until = now() - interval '10 minutes'")
        .update();
    JsonNode live = tenant.get("/api/v1/overview").body();
    assertThat(live.path("lastHour").path("succeeded").asLong()).as(live.toString()).isEqualTo(64);
    assertThat(live.path("lastHour").path("failed").asLong()).isEqualTo(8);
    assertThat(live.path("lastHour").path("skipped").asLong()).isEqualTo(8);

    // Counted into run_stats: the progress moved back over them, as after an operator's reset.
    jdbc.sql("update run_stats_progress set counted_until = now() - interval '10 minutes'")
        .update();
    runStats.countFinishedMinutes();
    long counted =
        jdbc.sql("select coalesce(sum(succeeded), 0) from run_stats where tenant_id = :tenant")
            .param("tenant", tenantId)
            .query(Long.class)
            .single();
    assertThat(counted).as("some minutes are in run_stats").isPositive();
    JsonNode mixed = tenant.get("/api/v1/overview").body();
    assertThat(mixed.path("lastHour").path("succeeded").asLong()).isEqualTo(64);
    assertThat(mixed.path("lastHour").path("failed").asLong()).isEqualTo(8);
    assertThat(mixed.path("lastDay").path("skipped").asLong()).isEqualTo(8);
    // Counting again counts nothing twice.
    jdbc.sql("update run_stats_progress set counted_until = now() - interval '10 minutes'")
        .update();
    runStats.countFinishedMinutes();
    assertThat(tenant.get("/api/v1/overview").body().path("lastHour").path("succeeded").asLong())
        .isEqualTo(64);
    // The 72 fires that started (skipped runs have no start) were 20 ms late: bucket 10-25 ms.
    assertThat(mixed.path("lag").path("runs").asLong()).isEqualTo(72);
    assertThat(mixed.path("lag").path("p50Ms").asLong()).isBetween(10L, 25L);
    assertThat(mixed.path("lag").path("p99Ms").asLong()).isBetween(10L, 25L);
  }

  @Test
  void theOverviewIsATenantsAndTheNodesTheAdmins() {
    Api tenant = newTenant();
    assertThat(admin.get("/api/v1/overview").status()).isEqualTo(403);
    assertThat(tenant.get("/api/v1/nodes").status()).isEqualTo(403);
    Api.Response nodes = admin.get("/api/v1/nodes");
    assertThat(nodes.status()).isEqualTo(200);
    JsonNode node = nodes.body().path("items").get(0);
    assertThat(node.path("alive").asBoolean()).isTrue();
    assertThat(node.path("roles").toString()).contains("api");
  }
}
