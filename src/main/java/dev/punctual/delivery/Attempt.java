package dev.punctual.delivery;

import dev.punctual.definition.Target;
import java.time.Instant;
import java.util.List;

/**
 * One delivery attempt of a run. {@code number} counts from 1; {@code signingSecrets} are the
 * tenant's current secrets (two during a rotation), each of which signs the request; {@code
 * traceHeaders} carry the attempt's trace context (W3C {@code traceparent}) when tracing is on.
 */
public record Attempt(
    long runId,
    long jobId,
    String jobName,
    Instant scheduledFor,
    int number,
    Target target,
    List<String> signingSecrets,
    java.util.Map<String, String> traceHeaders) {

  public Attempt(
      long runId,
      long jobId,
      String jobName,
      Instant scheduledFor,
      int number,
      Target target,
      List<String> signingSecrets) {
    this(runId, jobId, jobName, scheduledFor, number, target, signingSecrets, java.util.Map.of());
  }
}
