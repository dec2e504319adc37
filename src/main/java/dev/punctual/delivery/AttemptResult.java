package dev.punctual.delivery;

import java.time.Duration;

/**
 * How one attempt ended, whatever the target's kind. {@code code} is the kind's result code (the
 * HTTP status of an HTTP target), {@code error} and {@code responseSnippet} its detail; {@code
 * retryAfter} is the target's {@code Retry-After}, when it sent one.
 */
public record AttemptResult(
    Outcome outcome,
    Integer code,
    String error,
    String responseSnippet,
    long durationMs,
    Duration retryAfter) {

  public enum Outcome {
    SUCCESS,
    FAILURE,
    TIMEOUT,
    /** Refused by the egress guard: it would refuse again, so the run is not retried. */
    BLOCKED,
    /**
     * The target said "never again" (HTTP {@code 410 Gone}): the run fails at once, no retry; a job
     * with {@code pauseAfterFailures} counts it like any failure.
     */
    GONE
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCESS;
  }
}
