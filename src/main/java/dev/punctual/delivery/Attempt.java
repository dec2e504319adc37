package dev.punctual.delivery;

import java.time.Instant;

/** One delivery attempt of a run. {@code number} counts from 1. */
public record Attempt(
    long runId, long jobId, String jobName, Instant scheduledFor, int number, HttpTarget target) {}
