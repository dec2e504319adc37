package dev.punctual.definition;

/** Where a run is: waiting, in an attempt, waiting to retry, or finished. */
public enum RunStatus {
  PENDING,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  FAILED,
  SKIPPED
}
