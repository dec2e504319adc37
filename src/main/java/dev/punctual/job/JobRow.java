package dev.punctual.job;

import dev.punctual.queue.RunStatus;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One row of {@code jobs} (with its last run), as the API layer needs it. Its definition's parts
 * (schedule, target, retry, overlap, misfire) stay as stored: a broken row is shown as it is, not
 * decoded.
 */
record JobRow(
    long id,
    String name,
    String description,
    JsonNode schedule,
    JsonNode target,
    JsonNode retry,
    String overlap,
    String misfire,
    boolean enabled,
    boolean completed,
    String brokenReason,
    String pausedReason,
    Integer pauseAfterFailures,
    Long maxRuns,
    long scheduledRuns,
    String notificationUrl,
    JsonNode labels,
    Instant nextFireAt,
    long version,
    Instant createdAt,
    Instant updatedAt,
    Long lastRunId,
    RunStatus lastRunStatus,
    Instant lastRunScheduledFor) {

  /** This row with another target (its secret header values opened, for a write). */
  JobRow withTarget(JsonNode newTarget) {
    return new JobRow(
        id,
        name,
        description,
        schedule,
        newTarget,
        retry,
        overlap,
        misfire,
        enabled,
        completed,
        brokenReason,
        pausedReason,
        pauseAfterFailures,
        maxRuns,
        scheduledRuns,
        notificationUrl,
        labels,
        nextFireAt,
        version,
        createdAt,
        updatedAt,
        lastRunId,
        lastRunStatus,
        lastRunScheduledFor);
  }

  JobState state() {
    return JobState.of(brokenReason, enabled, completed);
  }

  JobView view() {
    JobView.LastRun lastRun =
        lastRunId == null
            ? null
            : new JobView.LastRun(String.valueOf(lastRunId), lastRunStatus, lastRunScheduledFor);
    return new JobView(
        String.valueOf(id),
        name,
        description,
        schedule,
        SecretUrls.redact(SecretHeaders.redact(target)),
        retry,
        overlap,
        misfire,
        enabled,
        labels,
        pauseAfterFailures,
        maxRuns,
        scheduledRuns,
        notificationUrl,
        state(),
        brokenReason,
        enabled ? null : pausedReason,
        enabled ? nextFireAt : null,
        lastRun,
        version,
        createdAt,
        updatedAt);
  }

  /** The writable fields, as a client would send them back: what a merge patch applies to. */
  ObjectNode writableJson() {
    return JobSpec.writableJson(
        name,
        description,
        schedule,
        target,
        retry,
        overlap,
        misfire,
        enabled,
        labels,
        pauseAfterFailures,
        maxRuns,
        notificationUrl);
  }
}
