package dev.punctual.queue;

import dev.punctual.definition.RetryPolicy;
import dev.punctual.delivery.AttemptResult;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongUnaryOperator;

/**
 * What an attempt's result means for its run: a plain function, no I/O, no clock, no randomness.
 */
public final class OutcomeDecision {
  private OutcomeDecision() {}

  /**
   * {@code FAILED} when the egress guard refused the attempt, the target answered {@code 410 Gone}
   * or no attempt is left; {@code RETRYING} after the backoff (or {@code Retry-After}) otherwise.
   * {@code random} is the jitter's source, a long in {@code [0, bound]}.
   */
  public static RunQueue.Outcome decide(
      long runId,
      int attempt,
      RetryPolicy retry,
      AttemptResult result,
      Instant started,
      boolean countsFailures,
      LongUnaryOperator random) {
    RunStatus status;
    Duration retryIn = null;
    if (result.succeeded()) {
      status = RunStatus.SUCCEEDED;
    } else if (result.outcome() == AttemptResult.Outcome.BLOCKED
        || result.outcome() == AttemptResult.Outcome.GONE) {
      status = RunStatus.FAILED;
    } else if (retry.allowsAfter(attempt)) {
      status = RunStatus.RETRYING;
      retryIn = retry.backoff(attempt, result.retryAfter(), random);
    } else {
      status = RunStatus.FAILED;
    }
    return new RunQueue.Outcome(
        runId,
        attempt,
        status,
        result.code(),
        result.error(),
        result.responseSnippet(),
        result.durationMs(),
        retryIn,
        started,
        countsFailures);
  }
}
