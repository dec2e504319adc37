package dev.punctual.definition;

/** Why a run exists. */
public enum RunTrigger {
  /** A fire time of the schedule, on time. */
  SCHEDULE,
  /** A fire time missed and made up under the job's misfire policy. */
  CATCH_UP,
  /** {@code POST /jobs/{id}/trigger}. */
  MANUAL
}
