package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.TargetServer;
import dev.punctual.support.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The engine through faults: a node killed, every node down, the database cut away. */
// Runs on an embedded PostgreSQL of its own (EngineHarness) whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class EngineFaultsIT {

  /**
   * Lets wall-clock time pass: only for the length of a fault itself (every node down, the database
   * away), which is time by definition. Everything else waits for what it needs.
   */
  private static void letTimePass(Duration d) {
    Instant end = Instant.now().plus(d);
    await("until " + end + " (a fault of " + d + ")")
        .atMost(d.plusSeconds(5))
        .until(() -> !Instant.now().isBefore(end));
  }

  private static long count(EngineHarness h, String sql) {
    return h.sql.sql(sql).query(Long.class).single();
  }

  /** For each job: fire times one {@code step} apart from first to last, none twice. */
  private static void assertNoGapNoDouble(List<EngineHarness.RunRow> runs, Duration step) {
    Map<Long, List<EngineHarness.RunRow>> byJob =
        runs.stream().collect(Collectors.groupingBy(EngineHarness.RunRow::jobId));
    for (List<EngineHarness.RunRow> jobRuns : byJob.values()) {
      for (int i = 1; i < jobRuns.size(); i++) {
        assertThat(
                Duration.between(jobRuns.get(i - 1).scheduledFor(), jobRuns.get(i).scheduledFor()))
            .as(
                "job %d between %s and %s",
                jobRuns.get(i).jobId(),
                jobRuns.get(i - 1).scheduledFor(),
                jobRuns.get(i).scheduledFor())
            .isEqualTo(step);
      }
    }
  }

  @Test
  void aKilledNodesJobsFireOnTheSurvivorsAndItsDeliveriesAreRetriedWithTheSameKey()
      throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      for (int i = 0; i < 30; i++) {
        // The first attempt of every run takes 1.5 s, so a node always has deliveries in flight.
        h.insertEverySecond("tick-" + i, first, target.url("/slow-first/1500"));
      }
      // a starts alone and takes every job (a node keeps the lease of a job that fires again
      // within its look-ahead), so that its death abandons work for sure.
      Engine a = h.start("a", EngineHarness.settings());
      await("the runs recovered")
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  h.sql
                          .sql(
                              "select count(*) from runs where status = 'RUNNING' and lease_owner = 'a'")
                          .query(Long.class)
                          .single()
                      >= 10);
      h.start("b", EngineHarness.settings());
      h.start("c", EngineHarness.settings());
      await("b and c are live nodes")
          .atMost(Duration.ofSeconds(10))
          .until(() -> count(h, "select count(*) from nodes where id in ('b', 'c')") == 2);

      Instant death = Instant.now();
      a.kill(); // no hand-back, no outcome written, heartbeats stop
      // The survivors take over: past the dead-node limit (10 s) every job fires again, and every
      // run a abandoned, once its node counts as dead, is delivered again and succeeds.
      h.awaitEveryJobFiredAfter("%", death.plusSeconds(12), Duration.ofSeconds(60));
      h.awaitRunsCreatedBeforeSucceeded(death);
      h.stopAll();

      List<EngineHarness.RunRow> runs = h.runs();
      assertNoGapNoDouble(runs, Duration.ofSeconds(1));
      // Every job fired on the survivors within 10 s of the death: the worst lag after it.
      Duration worstLag =
          runs.stream()
              .filter(r -> r.scheduledFor().isAfter(death))
              .map(r -> Duration.between(r.scheduledFor(), r.createdAt()))
              .max(Duration::compareTo)
              .orElseThrow();
      // Runs abandoned by a mid-delivery were attempted again, same run id, same key.
      List<EngineHarness.RunRow> retaken =
          runs.stream().filter(r -> r.attempts() >= 2 && r.createdAt().isBefore(death)).toList();
      long stuck =
          runs.stream()
              .filter(r -> r.status().equals("RUNNING") || r.status().equals("PENDING"))
              .count();
      System.out.printf(
          "kill: %d runs, worst fire lag after the death %d ms, %d abandoned runs re-attempted, %d not finished at stop%n",
          runs.size(), worstLag.toMillis(), retaken.size(), stuck);
      // Its jobs wait for their 5 s leases to run out, then fire on the next claim (0.5 s): the
      // dead-node limit (10 s) is the guarantee, with 4 s of margin over the 5-6 s expected.
      assertThat(worstLag).isLessThan(Duration.ofSeconds(10));
      assertThat(retaken).isNotEmpty();
      for (EngineHarness.RunRow run : retaken) {
        List<TargetServer.Delivery> got =
            target.deliveries(d -> String.valueOf(run.id()).equals(d.runId()));
        assertThat(got)
            .extracting(d -> d.header("Idempotency-Key"))
            .containsOnly(String.valueOf(run.id()));
        // The abandoned first attempt reached the target, and so did a later one (the second,
        // or a retry of it), always with the run's key.
        assertThat(got).extracting(d -> d.header("X-Punctual-Attempt")).contains("1");
        assertThat(got).anyMatch(d -> Integer.parseInt(d.header("X-Punctual-Attempt")) >= 2);
        assertThat(run.status()).isEqualTo("SUCCEEDED");
      }
    }
  }

  @Test
  void misfirePoliciesAfterEveryNodeWasDown() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      EngineSettings settings =
          EngineHarness.builder().misfireThreshold(Duration.ofSeconds(2)).build();
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      String schedule = "{\"interval\":\"PT1S\",\"startAt\":\"" + first + "\"}";
      long fireOnce =
          h.insertJob("once", schedule, first, target.url("/ok"), "ALLOW", "FIRE_ONCE", 1);
      long skip = h.insertJob("skip", schedule, first, target.url("/ok"), "ALLOW", "SKIP", 1);
      long fireAll = h.insertJob("all", schedule, first, target.url("/ok"), "ALLOW", "FIRE_ALL", 1);

      Engine before = h.start("before", settings);
      h.awaitEveryJobFiredTimes(3);
      before.stop(); // every node is down...
      Instant downAt = Instant.now();
      letTimePass(Duration.ofSeconds(6)); // ...across six fire times
      Instant upAt = Instant.now();
      h.start("after", settings);
      // Past the catch-up, each job goes on with its schedule.
      h.awaitEveryJobFiredAfter("%", upAt.plusSeconds(1), Duration.ofSeconds(30));
      h.stopAll();

      Map<Long, List<EngineHarness.RunRow>> byJob =
          h.runs().stream().collect(Collectors.groupingBy(EngineHarness.RunRow::jobId));
      List<EngineHarness.RunRow> onceRuns = byJob.get(fireOnce);
      List<EngineHarness.RunRow> skipRuns = byJob.get(skip);
      List<EngineHarness.RunRow> allRuns = byJob.get(fireAll);
      System.out.printf(
          "misfire: FIRE_ONCE %d catch-up, SKIP %d, FIRE_ALL %d catch-up%n",
          count(onceRuns, "CATCH_UP"), count(skipRuns, "CATCH_UP"), count(allRuns, "CATCH_UP"));

      // FIRE_ONCE: one CATCH_UP run for the missed times, for the latest of them.
      assertThat(count(onceRuns, "CATCH_UP")).isEqualTo(1);
      EngineHarness.RunRow catchUp =
          onceRuns.stream().filter(r -> r.trigger().equals("CATCH_UP")).findFirst().orElseThrow();
      assertThat(catchUp.scheduledFor()).isAfter(downAt).isBefore(upAt.plusSeconds(1));
      assertThat(missedScheduled(onceRuns, downAt, catchUp.scheduledFor())).isZero();
      // SKIP: none of the missed times has a run.
      assertThat(count(skipRuns, "CATCH_UP")).isZero();
      assertThat(missedScheduled(skipRuns, downAt.plusSeconds(1), upAt.minusSeconds(1))).isZero();
      // FIRE_ALL: every missed time has its own run: no gap from the first fire to the last.
      assertThat(count(allRuns, "CATCH_UP")).isGreaterThanOrEqualTo(5);
      assertNoGapNoDouble(allRuns, Duration.ofSeconds(1));
      // All three go on with their schedule after the restart.
      for (List<EngineHarness.RunRow> runs : List.of(onceRuns, skipRuns, allRuns)) {
        assertThat(
                runs.stream()
                    .anyMatch(
                        r -> r.trigger().equals("SCHEDULE") && r.scheduledFor().isAfter(upAt)))
            .isTrue();
      }
    }
  }

  private static long count(List<EngineHarness.RunRow> runs, String trigger) {
    return runs.stream().filter(r -> r.trigger().equals(trigger)).count();
  }

  private static long missedScheduled(List<EngineHarness.RunRow> runs, Instant from, Instant to) {
    return runs.stream()
        .filter(r -> r.trigger().equals("SCHEDULE"))
        .filter(r -> r.scheduledFor().isAfter(from) && r.scheduledFor().isBefore(to))
        .count();
  }

  @Test
  void theEnginePausesWhileTheDatabaseIsAwayAndResumesLosingNothing() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer();
        TcpProxy proxy = new TcpProxy(h.postgres.getPort())) {
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      for (int i = 0; i < 20; i++) {
        h.insertEverySecond("tick-" + i, first, target.url("/ok"));
      }
      h.start("node", EngineHarness.settings(), proxy.port());
      h.awaitEveryJobFiredTimes(3);
      proxy.cut();
      Instant cut = Instant.now();
      letTimePass(Duration.ofSeconds(6));
      proxy.restore();
      Instant restored = Instant.now();
      // Back: the outage's fire times fired late, and the schedule goes on after it; every run
      // made so far is delivered.
      h.awaitEveryJobFiredAfter("%", restored.plusSeconds(3), Duration.ofSeconds(60));
      Instant backAt = Instant.now();
      h.awaitRunsCreatedBeforeSucceeded(backAt);
      h.stopAll();

      List<EngineHarness.RunRow> runs = h.runs();
      assertNoGapNoDouble(runs, Duration.ofSeconds(1));
      long during =
          runs.stream()
              .filter(r -> r.scheduledFor().isAfter(cut) && r.scheduledFor().isBefore(restored))
              .count();
      long after =
          runs.stream().filter(r -> r.scheduledFor().isAfter(restored.plusSeconds(2))).count();
      long unfinished = runs.stream().filter(r -> !r.status().equals("SUCCEEDED")).count();
      System.out.printf(
          "db cut: %d runs, %d for fire times during the outage (fired late), %d after, %d not succeeded%n",
          runs.size(), during, after, unfinished);
      // The fire times of the outage were fired once the database was back (late, not lost).
      assertThat(during).isGreaterThanOrEqualTo(20L * 4);
      assertThat(after).isGreaterThan(0);
    }
  }
}
