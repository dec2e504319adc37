package dev.punctual.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One notification event to POST: {@code id} is its {@code webhook-id}, {@code body} the Standard
 * Webhooks payload ({@code {"type", "timestamp", "data"}}), signed with {@code signingSecrets}.
 */
public record Notification(
    String id,
    String url,
    String body,
    List<String> signingSecrets,
    Duration timeout,
    Instant at) {}
