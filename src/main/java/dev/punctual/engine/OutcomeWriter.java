package dev.punctual.engine;

import dev.punctual.queue.RunQueue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes a batch of outcomes: the runs (the queue records them), and, for jobs with {@code
 * pauseAfterFailures}, their counts of runs failed in a row and the pauses these decide ({@link
 * FailureCount}), in one transaction. A batch with no such job is one statement, as most are.
 */
final class OutcomeWriter {
  private final String nodeId;
  private final RunQueue runs;
  private final JobStore jobs;
  private final TransactionTemplate transactions;

  OutcomeWriter(String nodeId, RunQueue runs, JobStore jobs, TransactionTemplate transactions) {
    this.nodeId = nodeId;
    this.runs = runs;
    this.jobs = jobs;
    this.transactions = transactions;
  }

  /** Records {@code batch}; returns the jobs it paused. */
  List<JobStore.AutoPaused> write(List<RunQueue.Outcome> batch) {
    if (batch.stream().noneMatch(RunQueue.Outcome::countsForItsJob)) {
      runs.complete(nodeId, batch);
      return List.of();
    }
    return transactions.execute(
        status -> {
          List<RunQueue.Finished> finished = runs.complete(nodeId, batch);
          if (finished.isEmpty()) {
            return List.of(); // taken over by another node meanwhile: nothing of ours to count
          }
          List<FailureCount.Counted> locked =
              jobs.lockFailureCounts(failingAfterLastSuccess(finished), jobsOf(finished));
          List<FailureCount.Decision> decisions = new ArrayList<>(locked.size());
          for (FailureCount.Counted job : locked) {
            decisions.add(FailureCount.decide(job, finished));
          }
          return jobs.applyFailureCounts(decisions);
        });
  }

  private static List<Long> jobsOf(List<RunQueue.Finished> finished) {
    Set<Long> ids = new LinkedHashSet<>();
    finished.forEach(f -> ids.add(f.jobId()));
    return List.copyOf(ids);
  }

  /**
   * Jobs with a run of the batch that failed after the batch's last success of the job: their count
   * grows whatever it was. The others' count changes only if it was not 0.
   */
  static List<Long> failingAfterLastSuccess(List<RunQueue.Finished> finished) {
    Map<Long, Long> lastSuccess = new HashMap<>();
    for (RunQueue.Finished f : finished) {
      if (f.succeeded()) {
        lastSuccess.merge(f.jobId(), f.runId(), Math::max);
      }
    }
    Set<Long> failing = new LinkedHashSet<>();
    for (RunQueue.Finished f : finished) {
      if (!f.succeeded() && f.runId() > lastSuccess.getOrDefault(f.jobId(), 0L)) {
        failing.add(f.jobId());
      }
    }
    return List.copyOf(failing);
  }
}
