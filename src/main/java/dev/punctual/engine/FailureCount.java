package dev.punctual.engine;

import dev.punctual.queue.RunQueue;
import java.util.Comparator;
import java.util.List;

/**
 * Auto-pause ({@code pauseAfterFailures}): what a batch of finished runs does to its job's count of
 * runs failed in a row, and whether the job is paused for it. A plain function of the job's state
 * (read under its row lock) and the batch; {@link JobStore#applyFailureCounts} writes the result.
 */
final class FailureCount {
  private FailureCount() {}

  /** A job's state as locked: whether it fires, its count so far, its threshold (null: none). */
  record Counted(long jobId, boolean enabled, int failuresInARow, Integer pauseAfterFailures) {}

  /**
   * The job's new count, whether it is paused now, and the last failed run of the batch (0 when
   * none); {@code reason} is the pause's text, shown to users, null when it is not paused.
   */
  record Decision(
      long jobId, int failuresInARow, boolean pause, long lastFailedRun, String reason) {}

  /**
   * Runs are taken in run-id order (the order they were created, which is the fire order): a
   * success resets the count, a failure adds one. The job is paused when it still fires and its
   * count reaches its threshold.
   */
  static Decision decide(Counted job, List<RunQueue.Finished> finished) {
    int failures = job.failuresInARow();
    long lastFailed = 0;
    List<RunQueue.Finished> inOrder =
        finished.stream()
            .filter(f -> f.jobId() == job.jobId())
            .sorted(Comparator.comparingLong(RunQueue.Finished::runId))
            .toList();
    for (RunQueue.Finished run : inOrder) {
      if (run.succeeded()) {
        failures = 0;
      } else {
        failures++;
        lastFailed = Math.max(lastFailed, run.runId());
      }
    }
    boolean pause =
        job.enabled() && job.pauseAfterFailures() != null && failures >= job.pauseAfterFailures();
    String reason =
        pause
            ? failures
                + " runs in a row failed (the last: run "
                + lastFailed
                + "); resume the job to fire it again"
            : null;
    return new Decision(job.jobId(), failures, pause, lastFailed, reason);
  }
}
