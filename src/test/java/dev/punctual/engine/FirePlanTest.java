package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.definition.HttpTarget;
import dev.punctual.definition.JobDefinition;
import dev.punctual.definition.Misfire;
import dev.punctual.definition.Overlap;
import dev.punctual.definition.RetryPolicy;
import dev.punctual.queue.RunTrigger;
import dev.punctual.schedule.IntervalSchedule;
import dev.punctual.schedule.OnceSchedule;
import dev.punctual.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FirePlanTest {
  private static final Duration THRESHOLD = Duration.ofMinutes(1);

  private static ClaimedJob job(Schedule schedule, Instant fireAt, String misfire) {
    return new ClaimedJob(
        1,
        1,
        "job",
        1,
        fireAt,
        1,
        new JobDefinition(
            schedule,
            new HttpTarget("POST", "http://x", Map.of(), null, Duration.ofSeconds(10)),
            RetryPolicy.DEFAULT,
            Overlap.ALLOW,
            Misfire.valueOf(misfire)),
        List.of(),
        null,
        false);
  }

  @Test
  void aOneShotWithNanosecondsCompletesOnceFiredAtItsStoredMicrosecond() {
    // Regression: `at` kept nanoseconds, the database keeps microseconds; the "next" fire time
    // was the same stored instant again, and the job fired forever.
    Instant at = Instant.parse("2026-11-27T15:04:52.133710480Z");
    Instant stored = Instant.parse("2026-11-27T15:04:52.133710Z");
    FirePlan plan =
        FirePlan.of(
            job(new OnceSchedule(at, Schedule.Bounds.NONE), stored, "FIRE_ONCE"),
            stored,
            THRESHOLD);
    assertThat(plan.runs()).hasSize(1);
    assertThat(plan.completed()).isTrue();
  }

  @Test
  void nextFireTimesAreStrictlyLaterAndToTheMicrosecond() {
    Instant start = Instant.parse("2026-01-01T00:00:00.000000900Z");
    IntervalSchedule every =
        new IntervalSchedule(Duration.ofSeconds(1), start, Schedule.Bounds.NONE);
    Instant t = start.truncatedTo(ChronoUnit.MICROS);
    for (int i = 0; i < 5; i++) {
      Instant next = FirePlan.next(every, t);
      assertThat(next).isAfter(t);
      assertThat(next.getNano() % 1000).isZero();
      t = next;
    }
  }

  @Test
  void lateByLessThanTheThresholdSimplyFires() {
    Instant fireAt = Instant.parse("2026-01-01T00:00:00Z");
    IntervalSchedule every =
        new IntervalSchedule(Duration.ofSeconds(1), fireAt, Schedule.Bounds.NONE);
    FirePlan plan = FirePlan.of(job(every, fireAt, "SKIP"), fireAt.plusSeconds(59), THRESHOLD);
    assertThat(plan.runs())
        .extracting(FirePlan.PlannedRun::trigger)
        .containsExactly(RunTrigger.SCHEDULE);
    assertThat(plan.nextFireAt()).isEqualTo(fireAt.plusSeconds(1));
  }

  @Test
  void misfirePolicies() {
    Instant fireAt = Instant.parse("2026-01-01T00:00:00Z");
    Instant now = fireAt.plusSeconds(600).plusMillis(500); // ten minutes down
    IntervalSchedule everyMinute =
        new IntervalSchedule(Duration.ofMinutes(1), fireAt, Schedule.Bounds.NONE);

    FirePlan once = FirePlan.of(job(everyMinute, fireAt, "FIRE_ONCE"), now, THRESHOLD);
    assertThat(once.runs())
        .containsExactly(new FirePlan.PlannedRun(fireAt.plusSeconds(600), RunTrigger.CATCH_UP));
    assertThat(once.misfired()).isZero();
    assertThat(once.nextFireAt()).isEqualTo(fireAt.plusSeconds(660));

    FirePlan skip = FirePlan.of(job(everyMinute, fireAt, "SKIP"), now, THRESHOLD);
    assertThat(skip.runs()).isEmpty();
    assertThat(skip.misfired()).isEqualTo(11);
    assertThat(skip.nextFireAt()).isEqualTo(fireAt.plusSeconds(660));

    FirePlan all = FirePlan.of(job(everyMinute, fireAt, "FIRE_ALL"), now, THRESHOLD);
    assertThat(all.runs()).hasSize(11).allMatch(r -> r.trigger().equals(RunTrigger.CATCH_UP));

    IntervalSchedule everySecond =
        new IntervalSchedule(Duration.ofSeconds(1), fireAt, Schedule.Bounds.NONE);
    FirePlan capped = FirePlan.of(job(everySecond, fireAt, "FIRE_ALL"), now, THRESHOLD);
    assertThat(capped.runs()).hasSize(100);
    assertThat(capped.runs().get(99).scheduledFor()).isEqualTo(fireAt.plusSeconds(600));
    assertThat(capped.misfired()).isEqualTo(601 - 100);
  }

  private static ClaimedJob withRunsLeft(ClaimedJob job, long left) {
    return new ClaimedJob(
        job.id(),
        job.tenantId(),
        job.name(),
        job.version(),
        job.fireAt(),
        job.fencingToken(),
        job.definition(),
        job.signingSecrets(),
        left,
        false);
  }

  @Test
  void theLastRunMaxRunsAllowsCompletesTheJob() {
    Instant t = Instant.parse("2026-11-30T06:00:00Z");
    Schedule everyMinute = new IntervalSchedule(Duration.ofMinutes(1), t, Schedule.Bounds.NONE);
    FirePlan two = FirePlan.of(withRunsLeft(job(everyMinute, t, "FIRE_ONCE"), 2), t, THRESHOLD);
    assertThat(two.runs()).hasSize(1);
    assertThat(two.nextFireAt()).isEqualTo(t.plusSeconds(60));
    FirePlan last = FirePlan.of(withRunsLeft(job(everyMinute, t, "FIRE_ONCE"), 1), t, THRESHOLD);
    assertThat(last.runs()).hasSize(1);
    assertThat(last.completed()).isTrue();
    FirePlan none = FirePlan.of(withRunsLeft(job(everyMinute, t, "FIRE_ONCE"), 0), t, THRESHOLD);
    assertThat(none.runs()).isEmpty();
    assertThat(none.completed()).isTrue();
  }

  @Test
  void catchingUpRecordsNoMoreRunsThanMaxRunsAllows() {
    Instant t = Instant.parse("2026-11-30T06:00:00Z");
    Schedule everyMinute = new IntervalSchedule(Duration.ofMinutes(1), t, Schedule.Bounds.NONE);
    FirePlan plan =
        FirePlan.of(
            withRunsLeft(job(everyMinute, t, "FIRE_ALL"), 3), t.plusSeconds(600), THRESHOLD);
    assertThat(plan.runs()).hasSize(3);
    assertThat(plan.completed()).isTrue();
  }
}
