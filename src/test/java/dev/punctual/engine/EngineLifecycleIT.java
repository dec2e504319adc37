package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Graceful shutdown, roles and run retention. */
class EngineLifecycleIT {

  @Test
  void gracefulStopHandsBackJobsAndUnfinishedRunsAndLeavesTheCluster() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      for (int i = 0; i < 10; i++) {
        // Deliveries take 10 s, longer than the grace period below.
        h.insertEverySecond("slow-" + i, first, target.url("/sleep/10000"));
      }
      EngineSettings settings =
          EngineHarness.builder().shutdownGrace(Duration.ofSeconds(1)).build();
      Engine engine = h.start("leaving", settings);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  h.sql
                          .sql("select count(*) from runs where status = 'RUNNING'")
                          .query(Long.class)
                          .single()
                      >= 10);
      assertThat(
              h.sql
                  .sql("select count(*) from nodes where id = 'leaving'")
                  .query(Long.class)
                  .single())
          .isEqualTo(1L);

      long stopStarted = System.nanoTime();
      engine.stop();
      Duration took = Duration.ofNanos(System.nanoTime() - stopStarted);

      Map<String, Object> after =
          h.sql
              .sql(
                  """
                  select (select count(*) from jobs where lease_owner is not null) as leased_jobs,
                         (select count(*) from runs where status = 'RUNNING') as running,
                         (select count(*) from runs where status in ('PENDING', 'RETRYING')
                                                      and lease_owner is null) as handed_back,
                         (select count(*) from nodes where id = 'leaving') as node
                  """)
              .query()
              .singleRow();
      System.out.printf("graceful stop in %d ms: %s%n", took.toMillis(), after);
      assertThat(took).isLessThan(Duration.ofSeconds(5)); // grace 1 s, then hand back
      assertThat(after.get("leased_jobs")).isEqualTo(0L);
      assertThat(after.get("running")).isEqualTo(0L);
      assertThat((Long) after.get("handed_back")).isGreaterThanOrEqualTo(10L);
      assertThat(after.get("node")).isEqualTo(0L);
      // A handed-back run's unfinished attempt is not counted: it starts again from attempt 1.
      assertThat(
              h.sql
                  .sql("select max(attempts) from runs where status = 'PENDING'")
                  .query(Integer.class)
                  .single())
          .isZero();
    }
  }

  @Test
  void rolesDecideWhatANodeDoes() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
      h.insertEverySecond("tick", first, target.url("/ok"));
      // A scheduler without a worker: fires are recorded PENDING, nothing is delivered.
      Engine scheduler =
          h.start("scheduler-only", EngineSettings.builder().roles(Set.of("scheduler")).build());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  h.sql
                          .sql("select count(*) from runs where status = 'PENDING'")
                          .query(Long.class)
                          .single()
                      >= 2);
      assertThat(target.deliveries()).isEmpty();
      scheduler.stop();
      // A worker alone delivers them, and fires nothing new.
      long runsBefore = h.sql.sql("select count(*) from runs").query(Long.class).single();
      h.start("worker-only", EngineSettings.builder().roles(Set.of("worker")).build());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  h.sql
                          .sql("select count(*) from runs where status <> 'SUCCEEDED'")
                          .query(Long.class)
                          .single()
                      == 0);
      assertThat(target.deliveries()).hasSize((int) runsBefore);
      assertThat(h.sql.sql("select count(*) from runs").query(Long.class).single())
          .isEqualTo(runsBefore);
    }
  }

  @Test
  void retentionDeletesOnlyFinishedRunsPastTheAge() throws Exception {
    try (EngineHarness h = new EngineHarness()) {
      long job =
          h.insertJob(
              "old",
              "{\"cron\":\"0 0 1 1 *\",\"timezone\":\"UTC\"}",
              Instant.parse("2030-01-01T00:00:00Z"),
              "http://127.0.0.1:9/x",
              "ALLOW",
              "FIRE_ONCE",
              3);
      h.sql
          .sql(
              """
              insert into runs (job_id, tenant_id, scheduled_for, trigger, status, finished_at)
              select :job, :tenant, now() - g * interval '1 minute', 'SCHEDULE',
                     case when g % 2 = 0 then 'SUCCEEDED' else 'FAILED' end,
                     now() - g * interval '1 minute' + interval '30 seconds'
              from generate_series(1, 2500) g
              """)
          .param("job", job)
          .param("tenant", h.tenantId())
          .update();
      // Old but unfinished: kept whatever its age.
      h.sql
          .sql(
              """
              insert into runs (job_id, tenant_id, scheduled_for, trigger, status, next_attempt_at)
              values (:job, :tenant, now() - interval '30 days', 'MANUAL', 'RETRYING', now() + interval '1 hour')
              """)
          .param("job", job)
          .param("tenant", h.tenantId())
          .update();
      EngineSettings oneDay =
          EngineSettings.builder().roles(Set.of()).retention(Duration.ofDays(1)).build();
      Engine engine =
          new Engine(
              "purger",
              oneDay,
              h.dataSource(),
              EngineHarness.http(),
              new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
      int deleted = engine.purgeExpiredRuns();
      // 2,500 runs finished 0.5 to 2,499.5 minutes ago; those older than a day (1,440 min) go.
      assertThat(deleted).isEqualTo(2500 - 1440);
      assertThat(h.sql.sql("select count(*) from runs").query(Long.class).single())
          .isEqualTo(1440L + 1);
      assertThat(
              h.sql
                  .sql("select count(*) from runs where status = 'RETRYING'")
                  .query(Long.class)
                  .single())
          .isEqualTo(1L);
    }
  }
}
