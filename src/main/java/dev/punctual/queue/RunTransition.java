package dev.punctual.queue;

import static dev.punctual.queue.RunStatus.FAILED;
import static dev.punctual.queue.RunStatus.PENDING;
import static dev.punctual.queue.RunStatus.RETRYING;
import static dev.punctual.queue.RunStatus.RUNNING;
import static dev.punctual.queue.RunStatus.SKIPPED;
import static dev.punctual.queue.RunStatus.SUCCEEDED;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every way a run's status may move, written once. The statements of this package take their
 * statuses from it: a creation its {@link #to()}, the claim its {@link #fromSql()} and target, an
 * outcome only a status {@link #ATTEMPT_ENDS} reaches (checked when the outcome is made). The
 * outcome, broken-run and retention statements test no status in SQL: only a {@code RUNNING} run
 * has an owner, only a finished one a {@code finished_at}, and a status test there misleads the
 * planner. docs/engine.md draws the edges as a state diagram, which {@code RunTransitionTest}
 * compares with this table.
 */
public enum RunTransition {
  /** A fire for any worker, a catch-up, a backfill, a manual run or a replay: due, not started. */
  CREATE_PENDING(Set.of(), PENDING),
  /** A fire the node that fired it delivers itself: created in its first attempt, leased. */
  CREATE_RUNNING(Set.of(), RUNNING),
  /** A fire of a job with overlap {@code SKIP} while a run of it is active: recorded, not sent. */
  CREATE_SKIPPED(Set.of(), SKIPPED),
  /**
   * A worker takes a due run for its next attempt; a {@code RUNNING} one only when its owner died
   * or its lease ran out (a takeover: the attempt is made again, with the same run id).
   */
  CLAIM(EnumSet.of(PENDING, RETRYING, RUNNING), RUNNING),
  /** The attempt succeeded. */
  SUCCEED(EnumSet.of(RUNNING), SUCCEEDED),
  /** The attempt failed and the retry policy allows another, later. */
  RETRY(EnumSet.of(RUNNING), RETRYING),
  /** The attempt failed for good, or the run could not be attempted (its job is unreadable). */
  FAIL(EnumSet.of(RUNNING), FAILED),
  /** A stopping node gives back a first attempt it never made. */
  HAND_BACK_FIRST(EnumSet.of(RUNNING), PENDING),
  /** A stopping node gives back a later attempt it never made. */
  HAND_BACK_RETRY(EnumSet.of(RUNNING), RETRYING),
  /** Retention deletes a finished run ({@code to} is null: the run is gone). */
  EXPIRE(RunStatus.FINISHED, null);

  private final Set<RunStatus> from;
  private final RunStatus to;

  RunTransition(Set<RunStatus> from, RunStatus to) {
    this.from = from.isEmpty() ? Set.of() : EnumSet.copyOf(from);
    this.to = to;
  }

  /** The statuses this transition leaves; empty for a run created by it. */
  public Set<RunStatus> from() {
    return from;
  }

  /** The status it reaches; null when the run is deleted. */
  public RunStatus to() {
    return to;
  }

  /** {@link #from()} as an SQL list, for a statement's {@code status in …}. */
  String fromSql() {
    return RunStatus.sqlList(from);
  }

  /** The transitions that end an attempt: what an outcome may record. */
  public static final Set<RunTransition> ATTEMPT_ENDS = EnumSet.of(SUCCEED, RETRY, FAIL);

  /** Where those leave a run; read once per outcome, so computed once. */
  private static final Set<RunStatus> ATTEMPT_END_STATUSES =
      ATTEMPT_ENDS.stream()
          .map(RunTransition::to)
          .collect(Collectors.toCollection(() -> EnumSet.noneOf(RunStatus.class)));

  /** Whether an attempt's outcome may leave its run in {@code status}. */
  public static boolean endsAttemptIn(RunStatus status) {
    return ATTEMPT_END_STATUSES.contains(status);
  }

  /** Whether a run in {@code from} may move to {@code to} along some transition. */
  public static boolean allowed(RunStatus from, RunStatus to) {
    for (RunTransition t : values()) {
      if (t.from.contains(from) && t.to == to) {
        return true;
      }
    }
    return false;
  }

  /** Whether a run may be created in {@code status}. */
  public static boolean createsIn(RunStatus status) {
    for (RunTransition t : values()) {
      if (t.from.isEmpty() && t.to == status) {
        return true;
      }
    }
    return false;
  }
}
