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
    BLOCKED
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCESS;
  }
}
