package dev.punctual.run;

import dev.punctual.definition.RunStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The API's SQL on {@code runs}; every statement is scoped by tenant. */
@Repository
class RunRepository {
  private static final String COLUMNS =
      """
      id, job_id, scheduled_for, trigger, status, attempts, created_at, started_at, finished_at,
      duration_ms, result_code, error, response_snippet, next_attempt_at
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

  /** A manual run of one of the tenant's jobs, due now; empty when the job is not theirs. */
  Optional<RunView> insertManual(long tenantId, long jobId) {
    return jdbc.sql(
            """
            insert into runs (job_id, tenant_id, scheduled_for, trigger, status, next_attempt_at)
            select id, tenant_id, now(), 'MANUAL', 'PENDING', now()
            from jobs where id = :job and tenant_id = :tenant
            """
                + " returning "
                + COLUMNS)
        .param("job", jobId)
        .param("tenant", tenantId)
        .query(RunRepository::map)
        .optional();
  }

  private static RunView map(ResultSet rs, int row) throws SQLException {
    return new RunView(
        String.valueOf(rs.getLong("id")),
        String.valueOf(rs.getLong("job_id")),
        instant(rs, "scheduled_for"),
        rs.getString("trigger"),
        rs.getString("status"),
        rs.getInt("attempts"),
        instant(rs, "created_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getObject("duration_ms", Long.class),
        // The only target kind so far is HTTP: its result code is the response's status.
        rs.getObject("result_code", Integer.class),
        rs.getString("error"),
        rs.getString("response_snippet"),
        instant(rs, "next_attempt_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
