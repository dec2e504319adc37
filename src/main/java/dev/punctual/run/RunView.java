package dev.punctual.run;

import java.time.Instant;

/**
 * A run as the API shows it (docs/api.md, "The run"); {@code replayOf}: the run a {@code REPLAY}
 * run replays.
 */
record RunView(
    String id,
    String jobId,
    Instant scheduledFor,
    String trigger,
    String status,
    int attempts,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Long durationMs,
    Integer httpStatus,
    String error,
    String responseSnippet,
    Instant nextAttemptAt,
    String replayOf) {}
