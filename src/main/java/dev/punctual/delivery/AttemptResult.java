package dev.punctual.delivery;

import java.time.Duration;

/**
 * How one attempt ended. {@code retryAfter} is the target's {@code Retry-After}, when it sent one.
 */
public record AttemptResult(
    Outcome outcome,
    Integer httpStatus,
    String error,
    String responseSnippet,
    long durationMs,
    Duration retryAfter) {

  public enum Outcome {
    SUCCESS,
    FAILURE,
    TIMEOUT,
    BLOCKED
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCESS;
  }
}
