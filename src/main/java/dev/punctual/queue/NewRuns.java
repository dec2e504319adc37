package dev.punctual.queue;

import dev.punctual.db.Sql;
import dev.punctual.db.SqlArrays;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Every way a run is created: fired (on time or caught up), manual, replay and backfill. The
 * schedule's runs go through the one-run-per-fire-time index ({@link
 * RunTrigger#ONE_PER_FIRE_TIME_SQL}): a second insert for a fire time inserts nothing. The API's
 * instance is a bean; the engine makes its own on its own pool.
 */
@Component
public final class NewRuns {
  private final JdbcClient jdbc;

  public NewRuns(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * A run a fire records. {@code skipIfActive}: the job's overlap is {@code SKIP}, so the run is
   * {@code SKIPPED} when one of the job's runs is active; {@code deliverHere}: it starts {@code
   * RUNNING}, leased to the firing node for {@code lease}, otherwise {@code PENDING} for any
   * worker.
   */
  public record FiredRun(
      long jobId,
      long tenantId,
      Instant scheduledFor,
      RunTrigger trigger,
      boolean skipIfActive,
      Duration lease,
      boolean deliverHere) {}

  /** A run created. */
  public record Created(
      long id, long jobId, Instant scheduledFor, RunTrigger trigger, RunStatus status) {}

  /**
   * Inserts the runs of a fire, in the caller's transaction, for the jobs of {@code won} only
   * (those whose advance the same transaction recorded).
   */
  public List<Created> fired(String nodeId, List<Long> won, List<FiredRun> runs) {
    return jdbc.sql(
            """
            insert into runs (job_id, tenant_id, scheduled_for, trigger, status, attempts,
                              started_at, finished_at, next_attempt_at, lease_owner, lease_until)
            select job_id, tenant_id, scheduled_for, trigger, status,
                   case when status = %1$s then 1 else 0 end,
                   case when status = %1$s then now() end,
                   case when status = %2$s then now() end,
                   case when status <> %2$s then scheduled_for end,
                   case when status = %1$s then :node end,
                   case when status = %1$s then now() + make_interval(secs => lease_seconds)
                   end
            from (
                select r.*,
                       case when r.skip_if_active and exists (
                                select 1 from runs a where a.job_id = r.job_id
                                and a.status in %3$s)
                            then %2$s
                            else r.initial end as status
                from unnest(:jobIds::bigint[], :tenants::bigint[], :times::text[]::timestamptz[],
                            :triggers::text[], :skip::boolean[], :leases::float8[],
                            :initials::text[])
                     as r(job_id, tenant_id, scheduled_for, trigger, skip_if_active, lease_seconds,
                          initial)
                where r.job_id = any(:won::bigint[])
            ) s
            on conflict (job_id, scheduled_for) where %4$s
            do nothing
            returning id, job_id, scheduled_for, trigger, status
            """
                .formatted(
                    RunTransition.CREATE_RUNNING.to().sql(),
                    RunTransition.CREATE_SKIPPED.to().sql(),
                    RunStatus.ACTIVE_SQL,
                    RunTrigger.ONE_PER_FIRE_TIME_SQL))
        .param("node", nodeId)
        .param(
            "initials",
            SqlArrays.texts(
                runs,
                r ->
                    (r.deliverHere() ? RunTransition.CREATE_RUNNING : RunTransition.CREATE_PENDING)
                        .to()
                        .name()))
        .param("jobIds", SqlArrays.bigints(runs, FiredRun::jobId))
        .param("tenants", SqlArrays.bigints(runs, FiredRun::tenantId))
        .param("times", SqlArrays.instants(runs, FiredRun::scheduledFor))
        .param("triggers", SqlArrays.texts(runs, r -> r.trigger().name()))
        .param("skip", SqlArrays.booleans(runs, FiredRun::skipIfActive))
        .param("leases", SqlArrays.doubles(runs, r -> Sql.seconds(r.lease())))
        .param("won", SqlArrays.bigints(won, id -> id))
        .query(
            (rs, row) ->
                new Created(
                    rs.getLong(1),
                    rs.getLong(2),
                    Sql.instant(rs, 3),
                    RunTrigger.valueOf(rs.getString(4)),
                    RunStatus.valueOf(rs.getString(5))))
        .list();
  }

  /** A manual run of one of the tenant's jobs, due now; empty when the job is not theirs. */
  public Optional<Long> manual(long tenantId, long jobId) {
    return jdbc.sql(
            """
            insert into runs (job_id, tenant_id, scheduled_for, trigger, status, next_attempt_at)
            select id, tenant_id, now(), %s, %s, now()
            from jobs where id = :job and tenant_id = :tenant
            returning id
            """
                .formatted(RunTrigger.MANUAL.sql(), RunTransition.CREATE_PENDING.to().sql()))
        .param("job", jobId)
        .param("tenant", tenantId)
        .query(Long.class)
        .optional();
  }

  /**
   * A replay of one of the tenant's runs: a new run of its job, due now, for the same fire time,
   * linked to it. The caller has checked that the run may be replayed.
   */
  public long replay(long tenantId, long runId) {
    return jdbc.sql(
            """
            insert into runs (job_id, tenant_id, scheduled_for, trigger, status, next_attempt_at,
                              replay_of)
            select job_id, tenant_id, scheduled_for, %s, %s, now(), id
            from runs where id = :run and tenant_id = :tenant
            returning id
            """
                .formatted(RunTrigger.REPLAY.sql(), RunTransition.CREATE_PENDING.to().sql()))
        .param("run", runId)
        .param("tenant", tenantId)
        .query(Long.class)
        .single();
  }

  /**
   * Backfill runs of a job for the fire times {@code times} that have no run yet, run {@code i}
   * (from 0) due {@code i × spacing} from now; returns the runs created by fire time.
   */
  public Map<Instant, Long> backfill(
      long tenantId, long jobId, List<Instant> times, Duration spacing) {
    Map<Instant, Long> runs = new HashMap<>();
    jdbc.sql(
            """
            insert into runs (job_id, tenant_id, scheduled_for, trigger, status, next_attempt_at)
            select :job, :tenant, t.at, %s, %s,
                   now() + make_interval(secs => (t.n - 1) * :spacing)
            from unnest(:times::text[]::timestamptz[]) with ordinality as t(at, n)
            on conflict (job_id, scheduled_for) where %s
            do nothing
            returning id, scheduled_for
            """
                .formatted(
                    RunTrigger.BACKFILL.sql(),
                    RunTransition.CREATE_PENDING.to().sql(),
                    RunTrigger.ONE_PER_FIRE_TIME_SQL))
        .param("job", jobId)
        .param("tenant", tenantId)
        .param("spacing", spacing.toNanos() / 1e9)
        .param("times", SqlArrays.instants(times, t -> t))
        .query((rs, row) -> runs.put(Sql.instant(rs, 2), rs.getLong(1)))
        .list();
    return runs;
  }
}
