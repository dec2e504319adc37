package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.definition.Leases;
import dev.punctual.node.NodeStore;
import dev.punctual.queue.RunTrigger;
import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Guarantees 1-3 of docs/guarantees.md with several engines racing over one database. */
// Runs on an embedded PostgreSQL of its own (EngineHarness) whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class EngineClusterIT {

  @Test
  void threeEnginesRacingOverThousandsOfDueJobsFireEachFireTimeExactlyOnce() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      Instant now = Instant.now();
      // 3,000 one-shot jobs all due now, and 100 jobs firing every second.
      for (int i = 0; i < 3000; i++) {
        Instant at = now.minusMillis(500).plusMillis(i % 1000);
        h.insertJob(
            "once-" + i, "{\"at\":\"" + at + "\"}", at, target.url("/ok"), "ALLOW", "FIRE_ONCE", 3);
      }
      Instant firstTick = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      for (int i = 0; i < 100; i++) {
        h.insertJob(
            "tick-" + i,
            "{\"cron\":\"*/1 * * * * *\",\"timezone\":\"UTC\"}",
            firstTick,
            target.url("/ok"),
            "ALLOW",
            "FIRE_ONCE",
            3);
      }
      for (String node : List.of("a", "b", "c")) {
        h.start(node, EngineHarness.settings());
      }
      try {
        await("every run delivered")
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    h.sql
                            .sql(
                                "select count(*) from runs r join jobs j on j.id = r.job_id"
                                    + " where r.status = 'SUCCEEDED' and j.name like 'once-%'")
                            .query(Long.class)
                            .single()
                        == 3000);
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            "runs of one-shot jobs by status: "
                + h.sql
                    .sql(
                        "select r.status, r.lease_owner, r.attempts, count(*) from runs r join jobs j"
                            + " on j.id = r.job_id where j.name like 'once-%' group by 1, 2, 3")
                    .query()
                    .listOfRows()
                + "; errors: "
                + h.sql
                    .sql(
                        "select error, count(*) from runs where error is not null group by 1"
                            + " order by 2 desc limit 5")
                    .query()
                    .listOfRows()
                + "; jobs: "
                + h.sql
                    .sql(
                        "select completed, next_fire_at is null as no_next, lease_owner, count(*)"
                            + " from jobs where name like 'once-%' group by 1, 2, 3")
                    .query()
                    .listOfRows(),
            e);
      }
      // The ticking jobs go on firing on the three nodes for three more fire times, then stop.
      h.awaitEveryJobFiredAfter("tick-%", Instant.now().plusSeconds(3), Duration.ofSeconds(30));
      h.stopAll();

      List<EngineHarness.RunRow> runs = h.runs();
      Map<String, Object> counts = h.counts();
      System.out.printf(
          "race: %s runs, %s distinct fire times, %s succeeded, %d deliveries%n",
          counts.get("runs"),
          counts.get("distinct_fires"),
          counts.get("succeeded"),
          target.deliveries().size());
      // One run per fire time: no duplicate (job, scheduledFor).
      assertThat(counts.get("runs")).isEqualTo(counts.get("distinct_fires"));
      System.out.println(
          "one-shot jobs by state: "
              + h.sql
                  .sql(
                      "select completed, next_fire_at is null as no_next, count(*) from jobs"
                          + " where name like 'once-%' group by 1, 2")
                  .query()
                  .listOfRows()
              + "; runs by job kind: "
              + h.sql
                  .sql(
                      "select split_part(j.name, '-', 1) as kind, r.trigger, count(*) from runs r"
                          + " join jobs j on j.id = r.job_id group by 1, 2")
                  .query()
                  .listOfRows()
              + "; sample: "
              + h.sql
                  .sql(
                      "select id, name, schedule::text, next_fire_at, completed, fencing_token,"
                          + " lease_owner from jobs where id in (1, 2, 2999, 3001) order by id")
                  .query()
                  .listOfRows());
      // Every one-shot job fired once and is completed.
      assertThat(
              h.sql
                  .sql(
                      "select count(*) from jobs where name like 'once-%' and completed and next_fire_at is null")
                  .query(Long.class)
                  .single())
          .isEqualTo(3000L);
      Map<Long, List<EngineHarness.RunRow>> byJob =
          runs.stream().collect(Collectors.groupingBy(EngineHarness.RunRow::jobId));
      long onceJobs =
          byJob.values().stream()
              .filter(r -> r.size() == 1 && r.get(0).trigger().equals("SCHEDULE"))
              .count();
      assertThat(onceJobs).isGreaterThanOrEqualTo(3000);
      // Every ticking job: consecutive seconds from its first fire to its last, no gap.
      for (List<EngineHarness.RunRow> jobRuns : byJob.values()) {
        for (int i = 1; i < jobRuns.size(); i++) {
          assertThat(
                  Duration.between(
                      jobRuns.get(i - 1).scheduledFor(), jobRuns.get(i).scheduledFor()))
              .as("gap in job %d", jobRuns.get(i).jobId())
              .isEqualTo(Duration.ofSeconds(1));
        }
      }
      // The target received every run that succeeded at least once.
      Set<String> delivered =
          target.deliveries().stream()
              .map(TargetServer.Delivery::runId)
              .collect(Collectors.toSet());
      Set<String> succeeded = new HashSet<>();
      runs.stream()
          .filter(r -> r.status().equals("SUCCEEDED"))
          .forEach(r -> succeeded.add(String.valueOf(r.id())));
      assertThat(delivered).containsAll(succeeded);
    }
  }

  @Test
  void aNodeThatLostItsLeaseCannotRecordAFire() throws Exception {
    try (EngineHarness h = new EngineHarness()) {
      JobStore store = store(h);
      NodeStore nodes = new NodeStore(h.sql);
      Instant due = Instant.now().minusMillis(100);
      long job =
          h.insertJob(
              "fenced",
              "{\"at\":\"" + due + "\"}",
              due,
              "http://127.0.0.1:9/x",
              "ALLOW",
              "FIRE_ONCE",
              1);
      Duration lookahead = Duration.ofSeconds(2);
      Duration lease = Duration.ofSeconds(5);
      Duration dead = Duration.ofSeconds(10);

      // Node a claims the job, then freezes (a long GC pause): its heartbeat goes stale.
      nodes.heartbeat("a", "scheduler");
      ClaimedJob claimedByA = store.claim("a", 10, lookahead, lease, dead, List.of()).jobs().get(0);
      h.sql
          .sql("update nodes set heartbeat_at = now() - interval '1 minute' where id = 'a'")
          .update();
      assertThat(store.claim("b", 10, lookahead, lease, dead, List.of()).jobs())
          .as("a's lease is still valid in time, but a is dead")
          .hasSize(1);

      // b fires it.
      nodes.heartbeat("b", "scheduler");
      ClaimedJob claimedByB =
          h.sql
              .sql("select fencing_token from jobs where id = :id")
              .param("id", job)
              .query(Long.class)
              .optional()
              .map(token -> claimedByA.withNext(claimedByA.fireAt(), token, null))
              .orElseThrow();
      JobStore.FireResult fromB = fire(h, store, "b", claimedByB);
      assertThat(fromB.runs()).hasSize(1);

      // a wakes up and tries to record the same fire with its stale token: nothing is written.
      JobStore.FireResult fromA = fire(h, store, "a", claimedByA);
      assertThat(fromA.won()).isEmpty();
      assertThat(fromA.runs()).isEmpty();
      assertThat(h.runs()).hasSize(1);

      // Even a write that bypassed the fencing meets the unique index: one run per fire time.
      Assertions.assertThatThrownBy(
              () ->
                  h.sql
                      .sql(
                          """
                          insert into runs (job_id, tenant_id, scheduled_for, trigger, status)
                          values (:job, :tenant, :at::timestamptz, 'SCHEDULE', 'PENDING')
                          """)
                      .param("job", job)
                      .param("tenant", h.tenantId())
                      .param("at", due.toString())
                      .update())
          .isInstanceOf(DuplicateKeyException.class);
    }
  }

  @Test
  void dueJobsFiredAtOnceAreLockedFromOtherNodesAndFencedLikeLeasedOnes() throws Exception {
    try (EngineHarness h = new EngineHarness()) {
      JobStore store = store(h);
      NodeStore nodes = new NodeStore(h.sql);
      Duration lookahead = Duration.ofSeconds(2);
      Duration lease = Duration.ofSeconds(5);
      Duration dead = Duration.ofSeconds(10);
      Instant due = Instant.now().minusMillis(100);
      for (int i = 0; i < 4; i++) {
        h.insertJob(
            "due-" + i,
            "{\"at\":\"" + due + "\"}",
            due,
            "http://127.0.0.1:9/x",
            "ALLOW",
            "FIRE_ONCE",
            1);
      }
      nodes.heartbeat("a", "scheduler");
      nodes.heartbeat("b", "scheduler");
      // Node b holds a live lease on one of them (claimed ahead, in its timer).
      ClaimedJob leasedByB = store.claim("b", 1, lookahead, lease, dead, List.of()).jobs().get(0);

      TransactionTemplate tx = transactions(h);
      CountDownLatch locked = new CountDownLatch(1);
      CountDownLatch looked = new CountDownLatch(1);
      AtomicReference<List<ClaimedJob>> seenByC = new AtomicReference<>();
      Thread c =
          new Thread(
              () -> {
                try {
                  locked.await();
                  seenByC.set(tx.execute(s -> store.lockDue(10, dead, List.of()).jobs()));
                  looked.countDown();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      c.start();
      // a locks the three free ones; while its transaction is open, c finds nothing to take.
      JobStore.FireResult fromA =
          tx.execute(
              s -> {
                List<ClaimedJob> mine = store.lockDue(10, dead, List.of()).jobs();
                assertThat(mine).extracting(ClaimedJob::id).doesNotContain(leasedByB.id());
                assertThat(mine).hasSize(3);
                locked.countDown();
                try {
                  assertThat(looked.await(10, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                return store.fire(
                    "a",
                    mine.stream().map(j -> new JobStore.Advance(j, null, true, 0, false)).toList(),
                    mine.stream()
                        .map(j -> new JobStore.NewRun(j, j.fireAt(), RunTrigger.SCHEDULE, false))
                        .toList(),
                    lookahead,
                    lease);
              });
      c.join();
      assertThat(seenByC.get()).as("locked by a, leased by b").isEmpty();
      assertThat(fromA.won()).hasSize(3);
      assertThat(fromA.runs()).hasSize(3);

      // A job changed since it was read (its token moved on) is not fired with the old token.
      ClaimedJob stale = leasedByB.withNext(leasedByB.fireAt(), leasedByB.fencingToken() - 1, null);
      JobStore.FireResult fromStale =
          tx.execute(
              s ->
                  store.fire(
                      "a",
                      List.of(new JobStore.Advance(stale, null, true, 0, false)),
                      List.of(
                          new JobStore.NewRun(stale, stale.fireAt(), RunTrigger.SCHEDULE, false)),
                      lookahead,
                      lease));
      assertThat(fromStale.won()).isEmpty();
      assertThat(h.runs()).hasSize(3);
    }
  }

  private static JobStore store(EngineHarness h) {
    return new JobStore(h.sql, Leases.ATTEMPT_MARGIN);
  }

  private static TransactionTemplate transactions(EngineHarness h) {
    return new TransactionTemplate(new DataSourceTransactionManager(h.dataSource()));
  }

  private static JobStore.FireResult fire(
      EngineHarness h, JobStore store, String node, ClaimedJob job) {
    FirePlan plan = FirePlan.of(job, Instant.now(), Duration.ofMinutes(1));
    return transactions(h)
        .execute(
            s ->
                store.fire(
                    node,
                    List.of(
                        new JobStore.Advance(
                            job, plan.nextFireAt(), plan.completed(), plan.runs().size(), true)),
                    plan.runs().stream()
                        .map(r -> new JobStore.NewRun(job, r.scheduledFor(), r.trigger(), false))
                        .toList(),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5)));
  }
}
