package dev.punctual.engine;

import dev.punctual.queue.RunTrigger;
import dev.punctual.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What firing a claimed job at its fire time means, decided without I/O: the runs to record, and
 * the schedule's next state. The misfire rule (docs/api.md) lives here.
 *
 * @param runs the fire times to record, with their trigger ({@code SCHEDULE} or {@code CATCH_UP})
 * @param nextFireAt the next fire time, or null when the schedule has none left
 * @param misfired fire times given up under the {@code SKIP} policy (or past the 100 of {@code
 *     FIRE_ALL}), for the metric and the log
 * @param missed the fire times missed, when the fire is late past the threshold; null otherwise
 */
record FirePlan(List<PlannedRun> runs, Instant nextFireAt, int misfired, Missed missed) {
  static final int MAX_CATCH_UP = 100;

  record PlannedRun(Instant scheduledFor, RunTrigger trigger) {}

  /** How many fire times a late fire missed, the first and the last of them. */
  record Missed(int count, Instant first, Instant last) {}

  /**
   * Missed fire times that get no run of their own (given up, or folded into one catch-up run):
   * what a {@code job.misfired} event reports; 0 when the fire is on time.
   */
  int withoutRun() {
    return missed == null ? 0 : Math.max(0, missed.count() - runs.size());
  }

  boolean completed() {
    return nextFireAt == null;
  }

  /**
   * The next fire time as stored: to the microsecond (PostgreSQL's precision), and strictly after
   * {@code t}. A schedule instant finer than that (a hand-written row) must not come back as the
   * same stored instant and fire forever.
   */
  static Instant next(Schedule schedule, Instant t) {
    Optional<Instant> next = schedule.nextAfter(t);
    while (next.isPresent() && !next.get().truncatedTo(ChronoUnit.MICROS).isAfter(t)) {
      next = schedule.nextAfter(next.get());
    }
    return next.map(i -> i.truncatedTo(ChronoUnit.MICROS)).orElse(null);
  }

  /**
   * Plans the fire of {@code job} at {@code now} (the database clock). A fire time late by no more
   * than {@code threshold} simply fires. Later than that, the job missed its time because no node
   * could fire it, and its misfire policy decides over every fire time missed up to now: {@code
   * FIRE_ONCE} records one {@code CATCH_UP} run (for the latest missed time), {@code SKIP} none,
   * {@code FIRE_ALL} one per missed time (at most 100). The schedule then goes on from now.
   */
  static FirePlan of(ClaimedJob job, Instant now, Duration threshold) {
    Schedule schedule = job.schedule();
    Instant fireAt = job.fireAt();
    if (!now.minus(threshold).isAfter(fireAt)) {
      return limited(
          job,
          new FirePlan(
              List.of(new PlannedRun(fireAt, RunTrigger.SCHEDULE)),
              next(schedule, fireAt),
              0,
              null));
    }
    List<Instant> missed = new ArrayList<>();
    int count = 0;
    Instant t = fireAt;
    Instant last = fireAt;
    while (t != null && !t.isAfter(now)) {
      count++;
      last = t;
      if (missed.size() < MAX_CATCH_UP) {
        missed.add(t);
      } else {
        missed.remove(0); // keep the latest 100
        missed.add(t);
      }
      t = next(schedule, t);
    }
    Instant next = t;
    List<PlannedRun> runs =
        switch (job.misfire()) {
          case SKIP -> List.of();
          case FIRE_ALL ->
              missed.stream().map(m -> new PlannedRun(m, RunTrigger.CATCH_UP)).toList();
          case FIRE_ONCE ->
              List.of(new PlannedRun(missed.get(missed.size() - 1), RunTrigger.CATCH_UP));
        };
    int givenUp =
        switch (job.misfire()) {
          case SKIP -> count;
          case FIRE_ALL -> count - runs.size();
          case FIRE_ONCE -> 0; // gives up none: one run stands for all of them
        };
    return limited(job, new FirePlan(runs, next, givenUp, new Missed(count, fireAt, last)));
  }

  /**
   * The plan within the job's {@code maxRuns}: no more runs than it still allows, and no next fire
   * time once the last allowed run is recorded (the job is completed).
   */
  private static FirePlan limited(ClaimedJob job, FirePlan plan) {
    Long left = job.runsLeft();
    if (left == null || plan.runs().size() < left) {
      return plan;
    }
    int allowed = (int) Math.max(0, left);
    return new FirePlan(plan.runs().subList(0, allowed), null, plan.misfired(), plan.missed());
  }
}
