package dev.punctual.definition;

/** Why a run exists. */
public enum RunTrigger {
  /** A fire time of the schedule, on time. */
  SCHEDULE,
  /** A fire time missed and made up under the job's misfire policy. */
  CATCH_UP,
  /** {@code POST /jobs/{id}/trigger}. */
  MANUAL,
  /** {@code POST /runs/{id}/replay}: a new run of a run's job, linked to it. */
  REPLAY,
  /** {@code POST /jobs/{id}/backfill}: a past fire time of the schedule, one run per time. */
  BACKFILL
}
