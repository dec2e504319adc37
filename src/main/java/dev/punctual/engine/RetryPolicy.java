package dev.punctual.engine;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** A job's {@code retry}: exponential backoff with jitter, {@code Retry-After} honoured. */
record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {

  /**
   * The wait before attempt {@code failedAttempt + 1}: {@code initial * multiplier^(n-1)} capped at
   * {@code maxBackoff}, then "equal jitter" (half fixed, half random) so that many runs failing
   * together do not retry together. A {@code Retry-After} replaces it, capped at {@code
   * maxBackoff}.
   */
  Duration backoff(int failedAttempt, Duration retryAfter) {
    if (retryAfter != null) {
      return retryAfter.compareTo(maxBackoff) > 0 ? maxBackoff : retryAfter;
    }
    double millis =
        initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    long capped = (long) Math.min(millis, maxBackoff.toMillis());
    long half = capped / 2;
    return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(capped - half + 1));
  }
}
