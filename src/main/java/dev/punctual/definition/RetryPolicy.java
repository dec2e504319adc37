package dev.punctual.definition;

import java.time.Duration;
import java.util.function.LongUnaryOperator;

/**
 * A job's {@code retry}: how many attempts a run gets, and the wait between them (exponential
 * backoff with jitter, {@code Retry-After} honoured).
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(5), 2.0);

  /** Whether a run whose attempt {@code attempt} failed gets another. */
  public boolean allowsAfter(int attempt) {
    return attempt < maxAttempts;
  }

  /**
   * The wait before attempt {@code failedAttempt + 1}: {@code initial * multiplier^(n-1)} capped at
   * {@code maxBackoff}, then "equal jitter" (half fixed, half random) so that many runs failing
   * together do not retry together. A {@code Retry-After} replaces it, capped at {@code
   * maxBackoff}.
   *
   * @param random a random long in {@code [0, bound]} for a given {@code bound}
   */
  public Duration backoff(int failedAttempt, Duration retryAfter, LongUnaryOperator random) {
    if (retryAfter != null) {
      return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
    }
    double millis =
        initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    long capped = (long) Math.min(millis, maxBackoff.toMillis());
    long half = capped / 2;
    return Duration.ofMillis(half + random.applyAsLong(capped - half));
  }
}
