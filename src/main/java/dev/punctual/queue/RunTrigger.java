package dev.punctual.queue;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

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
  BACKFILL;

  /**
   * The triggers of which a job has at most one run per fire time: the schedule's own runs. Manual
   * runs and replays are explicit acts and may share a fire time with any run.
   */
  public static final Set<RunTrigger> ONE_PER_FIRE_TIME = EnumSet.of(SCHEDULE, CATCH_UP, BACKFILL);

  /**
   * The predicate of the partial unique index {@code runs_one_per_fire_time} on {@code (job_id,
   * scheduled_for)}, as the inserts' {@code ON CONFLICT} names it (the index is inferred from it).
   * {@code OnePerFireTimeIndexIT} checks it against the catalog.
   */
  public static final String ONE_PER_FIRE_TIME_SQL =
      ONE_PER_FIRE_TIME.stream()
          .map(t -> "'" + t.name() + "'")
          .collect(Collectors.joining(", ", "trigger in (", ")"));

  /** This trigger as an SQL literal: {@code 'MANUAL'}. */
  public String sql() {
    return "'" + name() + "'";
  }
}
