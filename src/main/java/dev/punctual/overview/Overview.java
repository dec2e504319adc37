package dev.punctual.overview;

import java.time.Instant;
import java.util.List;

/** The answer of {@code GET /api/v1/overview}. */
record Overview(
    Instant at,
    Window lastHour,
    Window lastDay,
    Lag lag,
    long runsWaiting,
    List<NextJob> nextJobs,
    List<JobNeedingAttention> attention) {

  /** Runs finished in a window, by outcome, with the window cut into equal buckets. */
  record Window(long succeeded, long failed, long skipped, List<Bucket> buckets) {}

  record Bucket(Instant start, long succeeded, long failed, long skipped) {}

  /**
   * How late the fires of the last hour started (first attempt's start minus the fire time), for
   * runs of the schedule only: a replay or a backfill is late by design.
   */
  record Lag(long runs, Long p50Ms, Long p99Ms) {}

  record NextJob(String id, String name, Instant nextRunAt) {}

  /** A job that is broken, paused by the service, or whose newest run failed. */
  record JobNeedingAttention(String id, String name, String state, String reason) {}
}
