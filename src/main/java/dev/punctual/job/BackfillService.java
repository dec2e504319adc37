package dev.punctual.job;

import dev.punctual.audit.AuditAction;
import dev.punctual.audit.AuditLog;
import dev.punctual.db.PgNotifications;
import dev.punctual.db.SqlArrays;
import dev.punctual.definition.Channels;
import dev.punctual.definition.DefinitionCodec;
import dev.punctual.definition.UnreadableDefinitionException;
import dev.punctual.queue.NewRuns;
import dev.punctual.queue.RunSql;
import dev.punctual.schedule.Schedule;
import dev.punctual.web.ApiProblem;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Backfill: one run per fire time of a job's schedule in a past range (trigger {@code BACKFILL}),
 * never a second run for a fire time that has one (the one-run-per-fire-time index, shared with the
 * engine's fires, decides: two nodes backfilling the same range at once make each run once). The
 * fire times are those a preview gives, DST rule included. Runs are due one after the other at the
 * tenant's fire rate, so that a backfill is delivered at the pace the tenant's fires are.
 */
@Service
class BackfillService {
  static final int MAX_FIRE_TIMES = 1000;

  private final JdbcClient jdbc;
  private final NewRuns newRuns;
  private final PgNotifications notifications;
  private final int fireRate;

  private final AuditLog audit;

  BackfillService(
      JdbcClient jdbc,
      NewRuns newRuns,
      PgNotifications notifications,
      BackfillSettings settings,
      AuditLog audit) {
    this.audit = audit;
    this.jdbc = jdbc;
    this.newRuns = newRuns;
    this.notifications = notifications;
    this.fireRate = settings.tenantFireRate();
  }

  /** One fire time of the range: its run, or null when it had one already (or a dry run). */
  record Item(Instant scheduledFor, String runId, boolean existing) {}

  record Result(boolean dryRun, int created, List<Item> items) {}

  /**
   * The fire times of {@code schedule} in {@code [from, to)}; 400 naming {@code to} when there are
   * more than {@link #MAX_FIRE_TIMES}.
   */
  static List<Instant> fireTimes(Schedule schedule, Instant from, Instant to) {
    List<Instant> times = new ArrayList<>();
    Optional<Instant> t = schedule.nextAfter(from.minusNanos(1));
    while (t.isPresent() && t.get().isBefore(to)) {
      if (times.size() == MAX_FIRE_TIMES) {
        throw ApiProblem.invalid(
            "to",
            "the range holds more than %d fire times of the schedule; backfill it in parts"
                .formatted(MAX_FIRE_TIMES));
      }
      Instant at = t.get().truncatedTo(ChronoUnit.MICROS); // as the engine stores fire times
      times.add(at);
      t = schedule.nextAfter(t.get());
    }
    return times;
  }

  @Transactional
  Result backfill(long tenantId, long jobId, Instant from, Instant to, boolean dryRun) {
    // Locked: a write of the job (a new schedule) waits for the backfill, and the reverse.
    Map<String, Object> job =
        jdbc
            .sql(
                """
                select schedule::text as schedule, broken_reason from jobs
                where id = :id and tenant_id = :tenant for update
                """)
            .param("id", jobId)
            .param("tenant", tenantId)
            .query()
            .listOfRows()
            .stream()
            .findFirst()
            .orElseThrow(() -> ApiProblem.notFound("No job " + jobId));
    if (job.get("broken_reason") != null) {
      throw new ApiProblem(
          HttpStatus.CONFLICT,
          "Job is BROKEN",
          "The job's definition cannot be read: repair it with a PUT or PATCH first");
    }
    Schedule schedule;
    try {
      schedule = DefinitionCodec.decodeSchedule((String) job.get("schedule"));
    } catch (UnreadableDefinitionException e) {
      throw new ApiProblem(HttpStatus.CONFLICT, "Job is BROKEN", e.getMessage());
    }
    List<Instant> times = fireTimes(schedule, from, to);
    if (times.isEmpty()) {
      auditUnlessDryRun(tenantId, jobId, from, to, 0, dryRun);
      return new Result(dryRun, 0, List.of());
    }
    Map<Instant, Long> created = dryRun ? Map.of() : insert(tenantId, jobId, times);
    List<Instant> taken = dryRun ? existing(jobId, times) : List.of();
    List<Item> items = new ArrayList<>(times.size());
    for (Instant t : times) {
      Long run = created.get(t);
      boolean existing = dryRun ? taken.contains(t) : run == null;
      items.add(new Item(t, run == null ? null : String.valueOf(run), existing));
    }
    if (!created.isEmpty()) {
      notifications.notify(Channels.RUNS, "backfill");
    }
    auditUnlessDryRun(tenantId, jobId, from, to, created.size(), dryRun);
    return new Result(dryRun, created.size(), items);
  }

  /** A dry run changes nothing, so it is not an audited change. */
  private void auditUnlessDryRun(
      long tenantId, long jobId, Instant from, Instant to, int created, boolean dryRun) {
    if (!dryRun) {
      audit.record(
          tenantId,
          AuditAction.JOB_BACKFILL,
          Long.toString(jobId),
          "from %s to %s: %d runs".formatted(from, to, created));
    }
  }

  /** Inserts the runs of the fire times that have none; returns them by fire time. */
  private Map<Instant, Long> insert(long tenantId, long jobId, List<Instant> times) {
    // Run i is due i / rate seconds from now (all at once when the rate is not capped).
    Duration spacing = fireRate > 0 ? Duration.ofNanos(1_000_000_000L / fireRate) : Duration.ZERO;
    return newRuns.backfill(tenantId, jobId, times, spacing);
  }

  private List<Instant> existing(long jobId, List<Instant> times) {
    return jdbc.sql(
            RunSql.of(
                """
            select scheduled_for from runs
            where job_id = :job and scheduled_for = any(:times::text[]::timestamptz[])
              and {ONE_PER_FIRE_TIME}
            """))
        .param("job", jobId)
        .param("times", SqlArrays.instants(times, t -> t))
        .query((rs, row) -> rs.getTimestamp(1).toInstant())
        .list();
  }
}
