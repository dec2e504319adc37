package dev.punctual.queue;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a run is: waiting, in an attempt, waiting to retry, or finished. It moves only along the
 * edges of {@link RunTransition}.
 */
public enum RunStatus {
  PENDING,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  FAILED,
  SKIPPED;

  /**
   * A run of one of these is in progress: it counts for the overlap rule and cannot be replayed.
   */
  public static final Set<RunStatus> ACTIVE = EnumSet.of(PENDING, RUNNING, RETRYING);

  /** The statuses a run ends in; retention deletes only runs in one of these. */
  public static final Set<RunStatus> FINISHED = EnumSet.of(SUCCEEDED, FAILED, SKIPPED);

  /** {@link #ACTIVE} as an SQL list: {@code ('PENDING', 'RUNNING', 'RETRYING')}. */
  public static final String ACTIVE_SQL = sqlList(ACTIVE);

  /** This status as an SQL literal: {@code 'PENDING'}. */
  public String sql() {
    return "'" + name() + "'";
  }

  /** The statuses as a parenthesised SQL list, in declaration order. */
  public static String sqlList(Set<RunStatus> statuses) {
    return EnumSet.copyOf(statuses).stream()
        .map(RunStatus::sql)
        .collect(Collectors.joining(", ", "(", ")"));
  }
}
