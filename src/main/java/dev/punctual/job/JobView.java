package dev.punctual.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.punctual.queue.RunStatus;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A job as the API shows it (docs/api.md, "The job"); {@code error} is shown only for a {@code
 * BROKEN} job: why the engine could not read it; {@code pausedReason} only for a job the service
 * paused ({@code pauseAfterFailures}).
 */
record JobView(
    String id,
    String name,
    String description,
    JsonNode schedule,
    JsonNode target,
    JsonNode retry,
    String overlap,
    String misfire,
    boolean enabled,
    JsonNode labels,
    Integer pauseAfterFailures,
    Long maxRuns,
    long scheduledRuns,
    String notificationUrl,
    JobState state,
    @JsonInclude(JsonInclude.Include.NON_NULL) String error,
    @JsonInclude(JsonInclude.Include.NON_NULL) String pausedReason,
    Instant nextRunAt,
    LastRun lastRun,
    long version,
    Instant createdAt,
    Instant updatedAt) {

  record LastRun(String id, RunStatus status, Instant scheduledFor) {}
}
