package dev.punctual.notification;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * An event as the API lists it (docs/api.md, "Notifications"); {@code id} is also the {@code
 * webhook-id} it was sent with.
 */
record EventView(
    String id,
    String type,
    Instant occurredAt,
    String jobId,
    String runId,
    JsonNode data,
    Delivery delivery) {

  /** Where and how it was sent: {@code status} NOT_SENT when no endpoint was set. */
  record Delivery(
      String status,
      String url,
      int attempts,
      Instant nextAttemptAt,
      Instant deliveredAt,
      String lastError) {}
}
