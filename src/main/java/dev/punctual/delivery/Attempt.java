package dev.punctual.delivery;

import dev.punctual.definition.Target;
import java.time.Instant;
import java.util.List;

/**
 * One delivery attempt of a run. {@code number} counts from 1; {@code signingSecrets} are the
 * tenant's current secrets (two during a rotation), each of which signs the request.
 */
public record Attempt(
    long runId,
    long jobId,
    String jobName,
    Instant scheduledFor,
    int number,
    Target target,
    List<String> signingSecrets) {}
