package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.config.NodeRole;
import dev.punctual.delivery.AttemptResult;
import dev.punctual.delivery.Deliverer;
import dev.punctual.delivery.HttpDelivery;
import dev.punctual.support.TargetServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Graceful shutdown, roles and run retention. */
// Runs on an embedded PostgreSQL of its own (EngineHarness) whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
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
      await("ten runs RUNNING").atMost(Duration.ofSeconds(10)).until(() -> h.runs("RUNNING") >= 10);
      // RUNNING comes at the fire, before the request: wait until the requests have arrived.
      await("ten requests arrived")
          .atMost(Duration.ofSeconds(10))
          .until(() -> target.deliveries().size() >= 10);
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
                         (select count(*) from runs where status = 'RUNNING'
                                                      and lease_until > now()) as leased_runs,
                         (select count(*) from runs where status in ('PENDING', 'RETRYING')
                                                      and lease_owner is null) as handed_back,
                         (select count(*) from nodes where id = 'leaving') as node
                  """)
              .query()
              .singleRow();
      System.out.printf("graceful stop in %d ms: %s%n", took.toMillis(), after);
      assertThat(took).isLessThan(Duration.ofSeconds(5)); // grace 1 s, then hand back
      assertThat(after.get("leased_jobs")).isEqualTo(0L);
      assertThat(after.get("leased_runs")).isEqualTo(0L);
      assertThat(after.get("node")).isEqualTo(0L);
      // Runs held but never attempted go back with that attempt not counted.
      assertThat(
              h.sql
                  .sql("select coalesce(max(attempts), 0) from runs where status = 'PENDING'")
                  .query(Integer.class)
                  .single())
          .isZero();
      // Runs whose request reached the target keep their attempt: handed back as unattempted they
      // would be delivered again under the same attempt number, a delivery no attempt accounts for.
      List<Long> reached =
          target.deliveries().stream().map(d -> Long.parseLong(d.runId())).toList();
      assertThat(reached).hasSizeGreaterThanOrEqualTo(10);
      List<Map<String, Object>> reachedRuns =
          h.sql
              .sql(
                  """
                  select id, status, attempts, lease_until <= now() as lease_over from runs
                  where id = any(:ids::bigint[])
                  """)
              .param("ids", reached.toArray(Long[]::new))
              .query()
              .listOfRows();
      assertThat(reachedRuns)
          .hasSize(reached.size())
          .allSatisfy(
              r -> {
                assertThat(r.get("status")).isEqualTo("RUNNING");
                assertThat(r.get("attempts")).isEqualTo(1);
                assertThat(r.get("lease_over")).isEqualTo(true);
              });
      // ... and another node takes them over at once (their lease is over), as its attempt 2.
      h.start("taker", settings);
      await("the runs handed back")
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  h.sql
                          .sql(
                              """
                              select count(*) from runs
                              where id = any(:ids::bigint[]) and lease_owner = 'taker'
                                and attempts = 2
                              """)
                          .param("ids", reached.toArray(Long[]::new))
                          .query(Long.class)
                          .single()
                      == reached.size());
    }
  }

  /**
   * The outcome writer may have taken a batch of outcomes from its queue and not yet written it
   * when the stop begins (here: waiting for a connection). The stop must let it write the batch
   * before it hands runs back; handed back first, those runs (delivered, attempt 1) would be
   * delivered again as attempt 1. Failed in a cluster scenario's rolling restart: 107 runs of one
   * batch delivered twice in one attempt.
   */
  @Test
  void gracefulStopWaitsForTheOutcomesBeingWrittenBeforeHandingBack() throws Exception {
    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10)) {
      CountDownLatch writerWaits = new CountDownLatch(1);
      CountDownLatch writerMayGo = new CountDownLatch(1);
      DataSource slowWriter =
          EngineHarness.gated(
              pool,
              "outcomes",
              () -> {
                writerWaits.countDown();
                EngineHarness.awaitQuietly(writerMayGo);
              });
      int count = 20;
      h.insertOneShots(
          h.tenantId(), "late-", count, Instant.now().plusSeconds(1), target.url("/ok"));
      Engine engine =
          Engine.builder(
                  "writer-late",
                  EngineHarness.builder().shutdownGrace(Duration.ofSeconds(1)).build(),
                  slowWriter,
                  EngineHarness.http())
              .registry(new SimpleMeterRegistry())
              .build();
      try {
        engine.start();
        await("every request arrived")
            .atMost(Duration.ofSeconds(10))
            .until(() -> target.deliveries().size() == count);
        assertThat(writerWaits.await(10, TimeUnit.SECONDS)).isTrue();
        // The writer goes on 3 s into the stop, past its 1 s grace.
        later.schedule(writerMayGo::countDown, 3, TimeUnit.SECONDS);
        engine.stop();
      } finally {
        writerMayGo.countDown();
        engine.kill();
      }
      assertThat(
              h.sql
                  .sql("select status, attempts, count(*) from runs group by 1, 2")
                  .query()
                  .listOfRows())
          .containsExactly(Map.of("status", "SUCCEEDED", "attempts", 1, "count", (long) count));
    } finally {
      later.shutdownNow();
    }
  }

  /**
   * A meter registry that refuses the delivery counters (Prometheus refuses a name registered twice
   * with different tags) costs no outcome: every run is recorded as it ended.
   */
  @Test
  void aMeterRegistryThatRefusesTheDeliveryCountersCostsNoOutcome() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10)) {
      SimpleMeterRegistry refusing = new SimpleMeterRegistry();
      refusing
          .config()
          .meterFilter(
              new MeterFilter() {
                @Override
                public Meter.Id map(Meter.Id id) {
                  if (id.getName().equals("punctual.tenant.deliveries")) {
                    throw new IllegalArgumentException("refused: " + id.getName());
                  }
                  return id;
                }
              });
      int count = 10;
      h.insertOneShots(
          h.tenantId(), "counted-", count, Instant.now().plusSeconds(1), target.url("/ok"));
      Engine engine =
          Engine.builder("uncounted", EngineHarness.settings(), pool, EngineHarness.http())
              .registry(refusing)
              .build();
      try {
        engine.start();
        await("every run SUCCEEDED")
            .atMost(Duration.ofSeconds(15))
            .until(() -> h.runs("SUCCEEDED") == count);
      } finally {
        engine.stop();
      }
      assertThat(target.deliveries()).hasSize(count);
    }
  }

  /**
   * An attempt whose outcome could not be recorded (recording it threw) was made: a stop leaves its
   * run to be taken over with the attempt counted, as it leaves runs in progress, instead of
   * handing it back as never attempted (it would be sent again under the same attempt number).
   */
  @Test
  void gracefulStopLeavesRunsWhoseOutcomeCouldNotBeRecordedToBeTakenOver() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10);
        HttpDelivery http = EngineHarness.http()) {
      int count = 10;
      h.insertOneShots(
          h.tenantId(), "unrecorded-", count, Instant.now().plusSeconds(1), target.url("/ok"));
      // The request is sent; the result it hands back breaks the recording (no outcome at all).
      Deliverer unrecordable =
          attempt ->
              http.send(attempt)
                  .thenApply(
                      r -> new AttemptResult(null, r.code(), null, null, r.durationMs(), null));
      Engine engine =
          Engine.builder(
                  "unrecorded",
                  EngineHarness.builder().shutdownGrace(Duration.ofSeconds(1)).build(),
                  pool,
                  unrecordable)
              .registry(new SimpleMeterRegistry())
              .build();
      try {
        engine.start();
        await("every request arrived")
            .atMost(Duration.ofSeconds(15))
            .until(() -> target.deliveries().size() == count);
        engine.stop();
      } finally {
        engine.kill();
      }
      assertThat(
              h.sql
                  .sql(
                      """
                      select status, attempts, lease_until <= now() as lease_over, count(*)
                      from runs group by 1, 2, 3
                      """)
                  .query()
                  .listOfRows())
          .containsExactly(
              Map.of(
                  "status", "RUNNING", "attempts", 1, "lease_over", true, "count", (long) count));
    }
  }

  /**
   * Outcomes the writer has taken and cannot write before the stop stops waiting for it (a database
   * that does not answer) are of attempts that reached the target: their runs keep the attempt, as
   * runs in progress do, and another node takes them over as the next attempt. Handed back as never
   * attempted, they would be sent again under the same attempt number.
   */
  @Test
  void gracefulStopLeavesRunsWhoseOutcomesTheWriterStillHoldsToBeTakenOver() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10)) {
      CountDownLatch writerWaits = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      DataSource stuckWriter =
          EngineHarness.gated(
              pool,
              "outcomes",
              () -> {
                writerWaits.countDown();
                EngineHarness.awaitQuietly(never);
                throw new SQLException("the database did not answer");
              });
      int count = 20;
      h.insertOneShots(
          h.tenantId(), "stuck-", count, Instant.now().plusSeconds(1), target.url("/ok"));
      Engine leaving =
          Engine.builder(
                  "writer-stuck",
                  EngineHarness.builder().shutdownGrace(Duration.ofSeconds(1)).build(),
                  stuckWriter,
                  EngineHarness.http())
              .registry(new SimpleMeterRegistry())
              .build();
      try {
        leaving.start();
        await("every request arrived")
            .atMost(Duration.ofSeconds(10))
            .until(() -> target.deliveries().size() == count);
        assertThat(writerWaits.await(10, TimeUnit.SECONDS)).isTrue();
        leaving.stop(); // waits for the writer for 5 s, then goes on without it
      } finally {
        leaving.kill();
      }
      // The writer's first batch is stuck; outcomes queued after it are written by the stop.
      List<Map<String, Object>> left =
          h.sql
              .sql(
                  """
                  select status, attempts, lease_until <= now() as lease_over, count(*)
                  from runs group by 1, 2, 3 order by 1
                  """)
              .query()
              .listOfRows();
      assertThat(left).hasSizeBetween(1, 2);
      assertThat(left.get(0))
          .containsAllEntriesOf(Map.of("status", "RUNNING", "attempts", 1, "lease_over", true));
      long stuck = (Long) left.get(0).get("count");
      if (left.size() == 2) {
        assertThat(left.get(1))
            .containsAllEntriesOf(
                Map.of("status", "SUCCEEDED", "attempts", 1, "count", count - stuck));
      }
      Engine taker =
          Engine.builder("taker", EngineHarness.builder().build(), pool, EngineHarness.http())
              .registry(new SimpleMeterRegistry())
              .build();
      try {
        taker.start();
        await("every request arrived, the stuck ones too")
            .atMost(Duration.ofSeconds(10))
            .until(() -> target.deliveries().size() == count + stuck);
        await("the stuck runs taken over")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    h.sql
                            .sql(
                                """
                            select count(*) from runs
                            where status = 'SUCCEEDED' and attempts = 2
                            """)
                            .query(Long.class)
                            .single()
                        == stuck);
        assertThat(h.runs("SUCCEEDED")).isEqualTo(count);
      } finally {
        taker.stop();
      }
    }
  }

  /**
   * A notification event still being sent when the stop's wait ends keeps its attempt: handed back
   * as unsent, it would be sent again under the same attempt number although it may have arrived.
   */
  @Test
  void gracefulStopLeavesANotificationInProgressToTheNextAttempt() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer endpoint = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10)) {
      long event = pendingEvent(h, endpoint.url("/sleep/10000")); // longer than the stop's wait
      Engine leaving = notifier("leaving", pool);
      try {
        leaving.start();
        await("the first event sent")
            .atMost(Duration.ofSeconds(10))
            .until(() -> endpoint.deliveries().size() == 1);
        leaving.stop();
      } finally {
        leaving.kill();
      }
      assertThat(
              h.sql
                  .sql(
                      """
                      select status, attempts, lease_until <= now() as lease_over
                      from events where id = :id
                      """)
                  .param("id", event)
                  .query()
                  .singleRow())
          .isEqualTo(Map.of("status", "DELIVERING", "attempts", 1, "lease_over", true));
      Engine taker = notifier("taker", pool);
      try {
        taker.start();
        await("the event sent again")
            .atMost(Duration.ofSeconds(5))
            .until(() -> endpoint.deliveries().size() == 2);
        assertThat(
                h.sql
                    .sql("select attempts from events where id = :id")
                    .param("id", event)
                    .query(Integer.class)
                    .single())
            .isEqualTo(2);
      } finally {
        taker.kill();
      }
    }
  }

  /** A notification answered during the stop's wait is recorded, and the stop does not linger. */
  @Test
  void gracefulStopRecordsANotificationAnsweredDuringItsWait() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer endpoint = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10)) {
      // Answered within the notifier's 2 s wait, which starts after the other stages' stop.
      long event = pendingEvent(h, endpoint.url("/sleep/1000"));
      Engine engine = notifier("leaving", pool);
      Duration took;
      try {
        engine.start();
        await("the event sent")
            .atMost(Duration.ofSeconds(10))
            .until(() -> endpoint.deliveries().size() == 1);
        long started = System.nanoTime();
        engine.stop();
        took = Duration.ofNanos(System.nanoTime() - started);
      } finally {
        engine.kill();
      }
      assertThat(
              h.sql
                  .sql("select status, attempts from events where id = :id")
                  .param("id", event)
                  .query()
                  .singleRow())
          .isEqualTo(Map.of("status", "DELIVERED", "attempts", 1));
      System.out.println("stop with a notification in flight took " + took.toMillis() + " ms");
      // Its outcome is written as soon as it comes (about 1 s), not when the notifier's 2 s wait
      // has run out (2 s at least: that wait starts after the other stages' stop).
      assertThat(took).isLessThan(Duration.ofMillis(1800));
    }
  }

  /** A notification event due now for {@code url}, of the harness's tenant; returns its id. */
  private static long pendingEvent(EngineHarness h, String url) {
    return h.sql
        .sql(
            """
            insert into events (tenant_id, type, job_id, data, url, status, next_attempt_at)
            values (:tenant, 'run.failed', 1, '{}', :url, 'PENDING', now())
            returning id
            """)
        .param("tenant", h.tenantId())
        .param("url", url)
        .query(Long.class)
        .single();
  }

  private static Engine notifier(String name, DataSource pool) {
    return Engine.builder(name, EngineHarness.settings(), pool, EngineHarness.http())
        .notifications(EngineHarness.http())
        .registry(new SimpleMeterRegistry())
        .tracing(EngineTracing.NONE)
        .build();
  }

  @Test
  void rolesDecideWhatANodeDoes() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
      h.insertEverySecond("tick", first, target.url("/ok"));
      // A scheduler without a worker: fires are recorded PENDING, nothing is delivered.
      Engine scheduler =
          h.start(
              "scheduler-only", EngineSettings.builder().roles(Set.of(NodeRole.SCHEDULER)).build());
      await("two runs PENDING").atMost(Duration.ofSeconds(10)).until(() -> h.runs("PENDING") >= 2);
      assertThat(target.deliveries()).isEmpty();
      scheduler.stop();
      // A worker alone delivers them, and fires nothing new.
      long runsBefore = h.sql.sql("select count(*) from runs").query(Long.class).single();
      h.start("worker-only", EngineSettings.builder().roles(Set.of(NodeRole.WORKER)).build());
      await("the worker delivers them")
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
          Engine.builder("purger", oneDay, h.dataSource(), EngineHarness.http())
              .registry(new SimpleMeterRegistry())
              .build();
      int deleted = engine.purgeExpiredRuns();
      // 2,500 runs finished 0.5 to 2,499.5 minutes ago; those older than a day (1,440 min) go.
      assertThat(deleted).isEqualTo(2500 - 1440);
      assertThat(h.sql.sql("select count(*) from runs").query(Long.class).single())
          .isEqualTo(1440L + 1);
      assertThat(h.runs("RETRYING")).isEqualTo(1L);
    }
  }
}
