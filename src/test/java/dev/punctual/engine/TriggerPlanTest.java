package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.definition.HttpTarget;
import dev.punctual.definition.JobDefinition;
import dev.punctual.definition.Misfire;
import dev.punctual.definition.Overlap;
import dev.punctual.definition.RetryPolicy;
import dev.punctual.node.LiveNodes;
import dev.punctual.queue.RunTrigger;
import dev.punctual.schedule.IntervalSchedule;
import dev.punctual.schedule.Schedule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The trigger stage's planning of a batch of fires, on a fake clock and without a database: which
 * jobs the node keeps for their next fire, which runs it delivers itself, which jobs are broken.
 */
class TriggerPlanTest {
  private final LoopTest.FakeTicker ticker = new LoopTest.FakeTicker();
  private final Instant now = ticker.wallTime();
  private final EngineMetrics metrics = new EngineMetrics(new SimpleMeterRegistry());

  private TriggerStage stage(EngineSettings settings) {
    NodeContext node =
        new NodeContext(
            "node", settings, metrics, null, ticker, new DatabaseClock(ticker), EngineTracing.NONE);
    return new TriggerStage(
        node, null, null, new DeliveryStage(node, null, null, null), new LiveNodes());
  }

  private static ClaimedJob job(long id, long tenant, Duration every, Instant fireAt) {
    return new ClaimedJob(
        id,
        tenant,
        "job-" + id,
        1,
        fireAt,
        7,
        new JobDefinition(
            new IntervalSchedule(every, fireAt, Schedule.Bounds.NONE),
            new HttpTarget("POST", "http://x", Map.of(), null, Duration.ofSeconds(10)),
            RetryPolicy.DEFAULT,
            Overlap.ALLOW,
            Misfire.FIRE_ONCE),
        List.of(),
        null,
        false);
  }

  @Test
  void aJobWhoseNextFireIsWithinTheLookaheadIsKeptOthersGoBackToTheTable() {
    TriggerStage.Batch batch =
        stage(EngineSettings.builder().build())
            .plan(
                List.of(
                    job(1, 1, Duration.ofSeconds(1), now), job(2, 1, Duration.ofHours(1), now)));
    assertThat(batch.advances())
        .extracting(a -> a.job().id(), JobStore.Advance::keep, JobStore.Advance::nextFireAt)
        .containsExactly(
            Tuple.tuple(1L, true, now.plusSeconds(1)),
            Tuple.tuple(2L, false, now.plusSeconds(3600)));
    assertThat(batch.runs())
        .extracting(JobStore.NewRun::trigger, JobStore.NewRun::deliverHere)
        .containsOnly(Tuple.tuple(RunTrigger.SCHEDULE, true));
    assertThat(batch.broken()).isEmpty();
  }

  @Test
  void aTenantOutOfFireBudgetHasItsJobsGoBackToTheTable() {
    TriggerStage stage = stage(EngineSettings.builder().tenantFireRate(1).build());
    TriggerStage.Batch batch =
        stage.plan(
            List.of(
                job(1, 1, Duration.ofSeconds(1), now),
                job(2, 1, Duration.ofSeconds(1), now),
                job(3, 2, Duration.ofSeconds(1), now)));
    // One fire a second per tenant: tenant 1 keeps one job, tenant 2 its only one.
    assertThat(batch.advances())
        .extracting(a -> a.job().id(), JobStore.Advance::keep)
        .containsExactly(Tuple.tuple(1L, true), Tuple.tuple(2L, false), Tuple.tuple(3L, true));
    assertThat(batch.runs()).hasSize(3); // the fires themselves are never held back here
  }

  @Test
  void aJobWithoutAComputableNextFireIsBrokenAndTheBatchFires() {
    ClaimedJob endOfTime = job(9, 1, Duration.ofSeconds(1), Instant.MAX);
    TriggerStage.Batch batch =
        stage(EngineSettings.builder().build())
            .plan(List.of(job(1, 1, Duration.ofSeconds(1), now), endOfTime));
    assertThat(batch.broken()).extracting(ClaimedJob.BrokenJob::id).containsExactly(9L);
    assertThat(batch.broken().get(0).reason()).startsWith("schedule: cannot compute");
    assertThat(batch.broken().get(0).fencingToken()).isEqualTo(7);
    assertThat(batch.advances()).extracting(a -> a.job().id()).containsExactly(1L);
    assertThat(batch.runs()).extracting(r -> r.job().id()).containsExactly(1L);
  }

  @Test
  void pastFourTimesItsInFlightCapATenantsRunsAreLeftForAnyWorker() {
    // 2 in flight per tenant: this node holds at most 8 runs of one tenant.
    TriggerStage stage =
        stage(EngineSettings.builder().maxInFlight(8).tenantMaxInFlight(2).build());
    List<ClaimedJob> due = new ArrayList<>();
    for (long id = 1; id <= 10; id++) {
      due.add(job(id, 1, Duration.ofHours(1), now));
    }
    due.add(job(11, 2, Duration.ofHours(1), now));
    TriggerStage.Batch batch = stage.plan(due);
    assertThat(batch.runs().stream().filter(JobStore.NewRun::deliverHere).count()).isEqualTo(9);
    assertThat(batch.runs())
        .filteredOn(r -> !r.deliverHere())
        .extracting(r -> r.job().id())
        .containsExactly(9L, 10L);
  }

  @Test
  void ofTwoTimerEntriesOfOneJobOnlyTheNewestClaimFires() {
    ClaimedJob old = job(1, 1, Duration.ofSeconds(1), now);
    ClaimedJob other = job(2, 1, Duration.ofSeconds(1), now);
    ClaimedJob newer =
        new ClaimedJob(
            1, 1, "job-1", 2, now, 9, old.definition(), List.of(), null, false); // token 9 > 7
    assertThat(TriggerStage.newestClaims(List.of(old, other, newer))).containsExactly(newer, other);
    assertThat(TriggerStage.newestClaims(List.of(newer, old))).containsExactly(newer);
    List<ClaimedJob> distinct = List.of(old, other);
    assertThat(TriggerStage.newestClaims(distinct)).isSameAs(distinct);
  }

  @Test
  void aFireLaterThanTheThresholdMeetsTheMisfirePolicy() {
    ticker.nanos += Duration.ofMinutes(10).toNanos(); // the node was down for ten minutes
    TriggerStage.Batch batch =
        stage(EngineSettings.builder().build())
            .plan(List.of(job(1, 1, Duration.ofMinutes(1), now)));
    assertThat(batch.runs())
        .extracting(JobStore.NewRun::trigger, JobStore.NewRun::scheduledFor)
        .containsExactly(Tuple.tuple(RunTrigger.CATCH_UP, now.plusSeconds(600)));
    assertThat(batch.advances().get(0).nextFireAt()).isEqualTo(now.plusSeconds(660));
  }
}
