package dev.punctual.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.definition.RetryPolicy;
import dev.punctual.delivery.AttemptResult;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** What an attempt's result means for its run, decided without I/O or randomness. */
class OutcomeDecisionTest {
  private static final RetryPolicy RETRY =
      new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(10), 3.0);
  private static final RetryPolicy RETRY_MORE =
      new RetryPolicy(9, Duration.ofSeconds(1), Duration.ofSeconds(10), 3.0);
  private static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");
  private static final LongUnaryOperator NO_JITTER = bound -> 0;
  private static final LongUnaryOperator FULL_JITTER = bound -> bound;

  private static AttemptResult result(AttemptResult.Outcome outcome, Integer code, Duration after) {
    return new AttemptResult(outcome, code, null, null, 12, after);
  }

  @Test
  void successSucceeds() {
    RunQueue.Outcome o =
        OutcomeDecision.decide(
            1, 1, RETRY, result(AttemptResult.Outcome.SUCCESS, 204, null), T0, false, NO_JITTER);
    assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(o.code()).isEqualTo(204);
    assertThat(o.retryIn()).isNull();
  }

  @Test
  void failuresRetryWithBackoffAndEqualJitterUntilTheLastAttempt() {
    AttemptResult failed = result(AttemptResult.Outcome.FAILURE, 500, null);
    // initial 1 s x 3^(n-1), capped at 10 s; half fixed, half jitter.
    assertThat(OutcomeDecision.decide(1, 1, RETRY, failed, T0, false, NO_JITTER).retryIn())
        .isEqualTo(Duration.ofMillis(500));
    assertThat(OutcomeDecision.decide(1, 1, RETRY, failed, T0, false, FULL_JITTER).retryIn())
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(OutcomeDecision.decide(1, 2, RETRY, failed, T0, false, FULL_JITTER).retryIn())
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(OutcomeDecision.decide(1, 3, RETRY, failed, T0, false, NO_JITTER).retryIn())
        .isEqualTo(Duration.ofMillis(4500)); // 9 s, half of it fixed
    assertThat(OutcomeDecision.decide(1, 5, RETRY_MORE, failed, T0, false, FULL_JITTER).retryIn())
        .isEqualTo(Duration.ofSeconds(10)); // 27 s capped at 10 s
    assertThat(OutcomeDecision.decide(1, 3, RETRY, failed, T0, false, NO_JITTER).status())
        .isEqualTo(RunStatus.RETRYING);
    RunQueue.Outcome last = OutcomeDecision.decide(1, 4, RETRY, failed, T0, false, NO_JITTER);
    assertThat(last.status()).isEqualTo(RunStatus.FAILED);
    assertThat(last.retryIn()).isNull();
  }

  @Test
  void retryAfterReplacesTheBackoffCappedAtTheMaximum() {
    assertThat(
            OutcomeDecision.decide(
                    1,
                    1,
                    RETRY,
                    result(AttemptResult.Outcome.FAILURE, 503, Duration.ofSeconds(7)),
                    T0,
                    false,
                    FULL_JITTER)
                .retryIn())
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(
            OutcomeDecision.decide(
                    1,
                    1,
                    RETRY,
                    result(AttemptResult.Outcome.FAILURE, 429, Duration.ofHours(1)),
                    T0,
                    false,
                    FULL_JITTER)
                .retryIn())
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void anAttemptTheEgressGuardRefusedFailsAtOnce() {
    RunQueue.Outcome o =
        OutcomeDecision.decide(
            1, 1, RETRY, result(AttemptResult.Outcome.BLOCKED, null, null), T0, false, NO_JITTER);
    assertThat(o.status()).isEqualTo(RunStatus.FAILED);
  }

  @Test
  void aTargetThatAnswersGoneFailsAtOnceWithAttemptsLeft() {
    RunQueue.Outcome o =
        OutcomeDecision.decide(
            1, 1, RETRY, result(AttemptResult.Outcome.GONE, 410, null), T0, false, NO_JITTER);
    assertThat(o.status()).isEqualTo(RunStatus.FAILED);
    assertThat(o.retryIn()).isNull();
    assertThat(o.startedAt()).isEqualTo(T0);
  }
}
