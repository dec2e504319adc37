package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.queue.RunQueue.Finished;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Auto-pause's arithmetic, without a database. */
class FailureCountTest {
  private static final long JOB = 7;

  private static FailureCount.Counted job(boolean enabled, int soFar, Integer threshold) {
    return new FailureCount.Counted(JOB, enabled, soFar, threshold);
  }

  private static Finished ok(long run) {
    return new Finished(run, JOB, true);
  }

  private static Finished failed(long run) {
    return new Finished(run, JOB, false);
  }

  @Test
  void failuresAddToTheCountAndReachingTheThresholdPausesWithTheLastFailedRunNamed() {
    FailureCount.Decision d = FailureCount.decide(job(true, 1, 3), List.of(failed(12), failed(11)));
    assertThat(d.failuresInARow()).isEqualTo(3);
    assertThat(d.pause()).isTrue();
    assertThat(d.lastFailedRun()).isEqualTo(12);
    assertThat(d.reason())
        .isEqualTo("3 runs in a row failed (the last: run 12); resume the job to fire it again");
  }

  @Test
  void aSuccessResetsTheCountOfTheRunsBeforeItInRunOrder() {
    // Outcomes arrive in any order; the runs' order decides: 10 failed, 11 succeeded, 12 failed.
    FailureCount.Decision d =
        FailureCount.decide(job(true, 5, 3), List.of(failed(12), ok(11), failed(10)));
    assertThat(d.failuresInARow()).isEqualTo(1);
    assertThat(d.pause()).isFalse();
    assertThat(d.reason()).isNull();
    assertThat(FailureCount.decide(job(true, 2, 3), List.of(failed(10), ok(11))).failuresInARow())
        .isZero();
  }

  @Test
  void aJobAlreadyPausedOrWithoutAThresholdIsCountedButNotPaused() {
    assertThat(FailureCount.decide(job(false, 4, 3), List.of(failed(20))))
        .extracting(FailureCount.Decision::failuresInARow, FailureCount.Decision::pause)
        .containsExactly(5, false);
    assertThat(FailureCount.decide(job(true, 9, null), List.of(failed(20))).pause()).isFalse();
  }

  @Test
  void otherJobsRunsDoNotCount() {
    FailureCount.Decision d =
        FailureCount.decide(job(true, 0, 1), List.of(new Finished(30, JOB + 1, false)));
    assertThat(d.failuresInARow()).isZero();
    assertThat(d.pause()).isFalse();
  }

  @Test
  void onlyJobsWithAFailureAfterTheirLastSuccessMustBeLocked() {
    List<Finished> batch =
        List.of(
            failed(1),
            ok(2), // JOB: failed then succeeded
            new Finished(3, 8, true),
            new Finished(4, 8, false), // 8: succeeded then failed
            new Finished(5, 9, true));
    assertThat(OutcomeWriter.failingAfterLastSuccess(batch)).containsExactly(8L);
  }
}
