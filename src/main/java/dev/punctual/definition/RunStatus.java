package dev.punctual.definition;

import java.util.EnumSet;
import java.util.Set;

/** Where a run is: waiting, in an attempt, waiting to retry, or finished. */
public enum RunStatus {
  PENDING,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  FAILED,
  SKIPPED;

  /** Statuses of a run that still owes an attempt (the overlap rule asks for these). */
  public static final Set<RunStatus> ACTIVE = EnumSet.of(PENDING, RUNNING, RETRYING);

  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == SKIPPED;
  }
}
