package dev.punctual.definition;

import java.time.Duration;

/** How long a node owns work it took, so that others take it over only when it cannot finish. */
public final class Leases {
  /**
   * The margin over an attempt's timeout: the outcome of an attempt that used all its time still
   * has this long to be written before another node may attempt the run again.
   */
  public static final Duration ATTEMPT_MARGIN = Duration.ofSeconds(30);

  private Leases() {}

  /** A node delivering a run owns it for the attempt's timeout plus {@link #ATTEMPT_MARGIN}. */
  public static Duration ofAttempt(Duration timeout) {
    return ofAttempt(timeout, ATTEMPT_MARGIN);
  }

  /** The lease of an attempt of {@code timeout} with another {@code margin} (tests shorten it). */
  public static Duration ofAttempt(Duration timeout, Duration margin) {
    return timeout.plus(margin);
  }
}
