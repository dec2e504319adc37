package dev.punctual.run;

import java.time.Instant;

/**
 * One attempt of a run as the API shows it (docs/api.md, "Attempts"): {@code httpStatus} is the
 * target's answer (null when none came), {@code retryAt} when the next attempt was due (null when
 * the run ended with this one).
 */
record AttemptView(
    int number,
    Instant startedAt,
    long durationMs,
    String node,
    Integer httpStatus,
    String error,
    String responseSnippet,
    Instant retryAt) {}
