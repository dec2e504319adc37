package dev.punctual.run;

import dev.punctual.db.Sql;
import dev.punctual.queue.RunSql;
import dev.punctual.queue.RunStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The API's SQL on {@code runs}; every statement is scoped by tenant. */
@Repository
class RunRepository {
  private static final String COLUMNS =
      """
      id, job_id, scheduled_for, trigger, status, attempts, created_at, started_at, finished_at,
      duration_ms, result_code, error, response_snippet, next_attempt_at, replay_of
      """;

  private final JdbcClient jdbc;

  RunRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<RunView> find(long tenantId, long runId) {
    return jdbc.sql("select " + COLUMNS + " from runs where id = :id and tenant_id = :tenant")
        .param("id", runId)
        .param("tenant", tenantId)
        .query(RunRepository::map)
        .optional();
  }

  boolean jobExists(long tenantId, long jobId) {
    return jdbc.sql("select exists (select 1 from jobs where id = :id and tenant_id = :tenant)")
        .param("id", jobId)
        .param("tenant", tenantId)
        .query(Boolean.class)
        .single();
  }

  /** A job's runs, newest first; {@code status} and {@code beforeId} may be null. */
  List<RunView> list(long tenantId, long jobId, RunStatus status, Long beforeId, int limit) {
    StringBuilder sql =
        new StringBuilder("select ")
            .append(COLUMNS)
            .append(" from runs where job_id = :job and tenant_id = :tenant");
    if (status != null) {
      sql.append(" and status = :status");
    }
    if (beforeId != null) {
      sql.append(" and id < :before");
    }
    sql.append(" order by id desc limit :limit");
    JdbcClient.StatementSpec statement =
        jdbc.sql(sql.toString())
            .param("job", jobId)
            .param("tenant", tenantId)
            .param("limit", limit);
    if (status != null) {
      statement = statement.param("status", status.name());
    }
    if (beforeId != null) {
      statement = statement.param("before", beforeId);
    }
    return statement.query(RunRepository::map).list();
  }

  /**
   * The attempts of one of the tenant's runs, in order; empty when the run has none on record.
   * {@code run_attempts} holds the attempts followed by another; the attempt that ended the run is
   * its row's (attempt_started_at is set by the outcome that ends it).
   */
  List<AttemptView> attempts(long tenantId, long runId) {
    return jdbc.sql(
            RunSql.of(
                """
            select a.number, a.started_at, a.duration_ms, a.node, a.result_code, a.error,
                   a.response_snippet, a.retry_at
            from run_attempts a join runs r on r.id = a.run_id
            where a.run_id = :run and r.tenant_id = :tenant
            union all
            select r.attempts, r.attempt_started_at, r.duration_ms, r.attempt_node, r.result_code,
                   r.error, r.response_snippet, null
            from runs r
            where r.id = :run and r.tenant_id = :tenant
              and r.status in ({SUCCEEDED}, {FAILED}) and r.attempt_started_at is not null
            order by 1
            """))
        .param("run", runId)
        .param("tenant", tenantId)
        .query(
            (rs, row) ->
                new AttemptView(
                    rs.getInt(1),
                    Sql.instant(rs, "started_at"),
                    rs.getLong(3),
                    rs.getString(4),
                    rs.getObject(5, Integer.class),
                    rs.getString(6),
                    rs.getString(7),
                    Sql.instant(rs, "retry_at")))
        .list();
  }

  /** A failed run and when it failed, for the dead-letter list's cursor. */
  /** A failed run, when it ended (the list's order), and its job's name. */
  record FailedRun(RunView run, Instant finishedAt, String jobName) {}

  /**
   * The tenant's failed runs matching {@code query}, most recently failed first, after {@code
   * after} (null: from the start).
   */
  List<FailedRun> failed(
      long tenantId, FailedRunsQuery query, FailedRunsQuery.Cursor after, int limit) {
    return failed(tenantId, query, after, false, limit);
  }

  /**
   * The tenant's failed runs matching {@code query} that no replay was made of yet, the oldest
   * failure first: what a bulk replay takes, in the order a dead-letter queue is worked off.
   */
  List<FailedRun> oldestNotReplayed(long tenantId, FailedRunsQuery query, int limit) {
    return failed(tenantId, query, null, true, limit);
  }

  private List<FailedRun> failed(
      long tenantId,
      FailedRunsQuery query,
      FailedRunsQuery.Cursor after,
      boolean oldestNotReplayed,
      int limit) {
    // Fixed fragments, values always bound; runs_failed serves the order and the range.
    StringBuilder sql =
        new StringBuilder("select ")
            .append(COLUMNS)
            // The job's name for a page of at most a few hundred runs: a primary-key probe each,
            // so a dead-letter list names its jobs without a request per job.
            .append(", (select j.name from jobs j where j.id = r.job_id) as job_name")
            .append(RunSql.of(" from runs r where r.tenant_id = :tenant and r.status = {FAILED}"));
    Map<String, Object> params = new HashMap<>();
    params.put("tenant", tenantId);
    params.put("limit", limit);
    if (query.since() != null) {
      sql.append(" and r.finished_at >= :since");
      params.put("since", Timestamp.from(query.since()));
    }
    if (query.until() != null) {
      sql.append(" and r.finished_at < :until");
      params.put("until", Timestamp.from(query.until()));
    }
    if (query.jobId() != null) {
      sql.append(" and r.job_id = :job");
      params.put("job", query.jobId());
    }
    if (after != null) {
      sql.append(" and (r.finished_at, r.id) < (:afterAt, :afterId)");
      params.put("afterAt", Timestamp.from(after.finishedAt()));
      params.put("afterId", after.id());
    }
    if (oldestNotReplayed) {
      sql.append(" and not exists (select 1 from runs p where p.replay_of = r.id)");
      sql.append(" order by r.finished_at, r.id limit :limit");
    } else {
      sql.append(" order by r.finished_at desc, r.id desc limit :limit");
    }
    return jdbc.sql(sql.toString())
        .params(params)
        .query(
            (rs, row) ->
                new FailedRun(
                    map(rs, row), Sql.instant(rs, "finished_at"), rs.getString("job_name")))
        .list();
  }

  /** Why a run cannot be replayed now; null when it can. */
  enum ReplayRefusal {
    IN_PROGRESS("the run is still in progress; replay it when it has ended"),
    OVERLAP(
        "the job has a run pending, running or retrying and its overlap policy is SKIP; replay"
            + " when that run has ended"),
    BROKEN("the job is BROKEN: repair its definition with a PUT or PATCH first");

    final String reason;

    ReplayRefusal(String reason) {
      this.reason = reason;
    }
  }

  /** Whether a run may be replayed now: {@code refusal} null when it may. */
  record ReplayCheck(ReplayRefusal refusal) {}

  /**
   * Locks the job of one of the tenant's runs for a replay, in the caller's transaction, then says
   * whether the run may be replayed; empty when the run is not the tenant's. Replays and fires of
   * the job wait for each other on the lock, and the check runs after it (a statement of its own,
   * so it sees a run a fire committed while this waited): the overlap rule holds.
   */
  Optional<ReplayCheck> lockForReplay(long tenantId, long runId) {
    Optional<Long> job =
        jdbc.sql(
                """
                select j.id from runs r join jobs j on j.id = r.job_id
                where r.id = :run and r.tenant_id = :tenant
                for update of j
                """)
            .param("run", runId)
            .param("tenant", tenantId)
            .query(Long.class)
            .optional();
    if (job.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        jdbc.sql(
                RunSql.of(
                    """
                select r.status in {ACTIVE} as in_progress,
                       j.broken_reason is not null as broken,
                       j.overlap = 'SKIP' and exists (
                           select 1 from runs a where a.job_id = j.id
                           and a.status in {ACTIVE}) as overlapping
                from runs r join jobs j on j.id = r.job_id
                where r.id = :run
                """))
            .param("run", runId)
            .query(
                (rs, row) -> {
                  if (rs.getBoolean("in_progress")) {
                    return new ReplayCheck(ReplayRefusal.IN_PROGRESS);
                  }
                  if (rs.getBoolean("broken")) {
                    return new ReplayCheck(ReplayRefusal.BROKEN);
                  }
                  return new ReplayCheck(
                      rs.getBoolean("overlapping") ? ReplayRefusal.OVERLAP : null);
                })
            .single());
  }

  private static RunView map(ResultSet rs, int row) throws SQLException {
    return new RunView(
        String.valueOf(rs.getLong("id")),
        String.valueOf(rs.getLong("job_id")),
        Sql.instant(rs, "scheduled_for"),
        rs.getString("trigger"),
        rs.getString("status"),
        rs.getInt("attempts"),
        Sql.instant(rs, "created_at"),
        Sql.instant(rs, "started_at"),
        Sql.instant(rs, "finished_at"),
        rs.getObject("duration_ms", Long.class),
        // The only target kind so far is HTTP: its result code is the response's status.
        rs.getObject("result_code", Integer.class),
        rs.getString("error"),
        rs.getString("response_snippet"),
        Sql.instant(rs, "next_attempt_at"),
        rs.getObject("replay_of") == null ? null : String.valueOf(rs.getLong("replay_of")));
  }
}
