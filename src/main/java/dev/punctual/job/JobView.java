package dev.punctual.job;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** A job as the API shows it (API.md, "The job"). */
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
    String state,
    Instant nextRunAt,
    LastRun lastRun,
    long version,
    Instant createdAt,
    Instant updatedAt) {

  record LastRun(String id, String status, Instant scheduledFor) {}
}
