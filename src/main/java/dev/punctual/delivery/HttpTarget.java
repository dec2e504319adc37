package dev.punctual.delivery;

import java.time.Duration;
import java.util.Map;

/** What to call: the {@code target} of a job, validated when the job was written. */
public record HttpTarget(
    String method, String url, Map<String, String> headers, String body, Duration timeout) {}
