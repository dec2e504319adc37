package dev.punctual.run;

import dev.punctual.audit.AuditAction;
import dev.punctual.audit.AuditLog;
import dev.punctual.db.PgNotifications;
import dev.punctual.definition.Channels;
import dev.punctual.queue.NewRuns;
import dev.punctual.web.ApiProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.interceptor.TransactionAspectSupport;

/**
 * Replays: a new run of a run's job, due now, for the same fire time, linked to the run it replays
 * (trigger {@code REPLAY}; its own run id, hence its own {@code Idempotency-Key} at delivery). A
 * replay respects the job's overlap policy; it is allowed for a paused job (it is an explicit act,
 * like a manual trigger).
 */
@Service
class ReplayService {
  static final int MAX_BULK = 1000;

  private final RunRepository runs;
  private final NewRuns newRuns;
  private final PgNotifications notifications;

  private final AuditLog audit;

  ReplayService(
      RunRepository runs, NewRuns newRuns, PgNotifications notifications, AuditLog audit) {
    this.audit = audit;
    this.runs = runs;
    this.newRuns = newRuns;
    this.notifications = notifications;
  }

  /** One run's replay; 404 when the run is not the tenant's, 409 when it cannot be replayed now. */
  @Transactional
  RunView replay(long tenantId, long runId) {
    RunRepository.ReplayCheck check =
        runs.lockForReplay(tenantId, runId)
            .orElseThrow(() -> ApiProblem.notFound("No run " + runId));
    if (check.refusal() != null) {
      throw new ApiProblem(
          HttpStatus.CONFLICT, "Run cannot be replayed now", check.refusal().reason);
    }
    RunView replay = insertReplay(tenantId, runId);
    notifications.notify(Channels.RUNS, replay.id()); // wakes a worker at commit, on any node
    audit.record(tenantId, AuditAction.RUN_REPLAY, Long.toString(runId), "replay " + replay.id());
    return replay;
  }

  /** The outcome of a bulk replay for one run: its replay, or why it was skipped. */
  record BulkItem(String runId, String jobId, RunView replay, String skipped) {}

  record BulkResult(boolean dryRun, List<BulkItem> items) {}

  /**
   * Replays up to {@code max} of the tenant's failed runs matching {@code query} that no replay was
   * made of yet (a second call does not deliver them again), oldest failure first. A dry run does
   * exactly the same in a transaction it then rolls back: its answer is what a real call would do
   * at that moment, overlap refusals included.
   */
  @Transactional
  BulkResult replayAll(long tenantId, FailedRunsQuery query, int max, boolean dryRun) {
    List<RunRepository.FailedRun> failed = runs.oldestNotReplayed(tenantId, query, max);
    List<BulkItem> items = new ArrayList<>(failed.size());
    boolean any = false;
    for (RunRepository.FailedRun f : failed) {
      long id = Long.parseLong(f.run().id());
      Optional<RunRepository.ReplayCheck> found = runs.lockForReplay(tenantId, id);
      if (found.isEmpty()) {
        // Deleted with its job since the list was read.
        items.add(new BulkItem(f.run().id(), f.run().jobId(), null, "the run no longer exists"));
        continue;
      }
      RunRepository.ReplayCheck check = found.get();
      if (check.refusal() != null) {
        items.add(new BulkItem(f.run().id(), f.run().jobId(), null, check.refusal().reason));
      } else {
        RunView replay = insertReplay(tenantId, id);
        // A dry run's replays are rolled back: it shows which runs would be replayed, no run.
        items.add(new BulkItem(f.run().id(), f.run().jobId(), dryRun ? null : replay, null));
        any = true;
      }
    }
    if (dryRun) {
      TransactionAspectSupport.currentTransactionStatus().setRollbackOnly();
      return new BulkResult(true, items);
    }
    if (any) {
      notifications.notify(Channels.RUNS, "replay");
    }
    long replayed = items.stream().filter(i -> i.replay() != null).count();
    audit.record(
        tenantId,
        AuditAction.RUNS_REPLAY,
        null,
        "%d runs replayed, %d skipped".formatted(replayed, items.size() - replayed));
    return new BulkResult(dryRun, items);
  }

  private RunView insertReplay(long tenantId, long runId) {
    return runs.find(tenantId, newRuns.replay(tenantId, runId)).orElseThrow();
  }
}
