package dev.punctual.delivery;

import dev.punctual.definition.Target;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One delivery attempt of a run. {@code number} counts from 1; {@code startedAt} is when it starts,
 * on the service's clock (its signature's timestamp); {@code signingSecrets} are the tenant's
 * current secrets (two during a rotation), each of which signs the request; {@code traceHeaders}
 * carry the attempt's trace context (W3C {@code traceparent}) when tracing is on.
 */
public record Attempt(
    long runId,
    long jobId,
    String jobName,
    Instant scheduledFor,
    int number,
    Instant startedAt,
    Target target,
    List<String> signingSecrets,
    Map<String, String> traceHeaders) {}
