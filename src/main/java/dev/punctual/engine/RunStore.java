package dev.punctual.engine;

import dev.punctual.delivery.HttpTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The delivery stage's SQL on {@code runs}: runs are the queue. Outcomes are fenced by owner and
 * attempt number, so a node whose run was taken over records nothing.
 */
final class RunStore {
  private final JdbcClient jdbc;
  private final JobDefinitions definitions;

  RunStore(JdbcClient jdbc, JobDefinitions definitions) {
    this.jdbc = jdbc;
    this.definitions = definitions;
  }

  /** A run this node is delivering: attempt {@code attempt} of it. */
  record OwnedRun(
      long id,
      long jobId,
      long tenantId,
      String jobName,
      Instant scheduledFor,
      int attempt,
      HttpTarget target,
      RetryPolicy retry,
      List<String> signingSecrets) {}

  /**
   * Claims up to {@code batch} runs whose attempt is due: pending or retrying ones, and running
   * ones whose owner died or whose lease ran out (their attempt is made again, with the same run
   * id, hence the same {@code Idempotency-Key}). Runs of the {@code busyTenants} (this node holds
   * as many of theirs as it takes) are left for later or for other nodes.
   */
  List<OwnedRun> claim(String nodeId, int batch, Duration deadAfter, List<Long> busyTenants) {
    return jdbc.sql(
            """
            with due as (
                select r.id from runs r
                where r.next_attempt_at <= now()
                  and r.status in ('PENDING', 'RETRYING', 'RUNNING')
                  and (r.status <> 'RUNNING'
                       or r.lease_until < now()
                       or not exists (select 1 from nodes n
                                      where n.id = r.lease_owner
                                        and n.heartbeat_at > now() - make_interval(secs => :dead)))
                  and r.tenant_id <> all(:busy::bigint[])
                order by r.next_attempt_at
                limit :batch
                for update skip locked
            )
            update runs r
            set status = 'RUNNING',
                attempts = r.attempts + 1,
                started_at = coalesce(r.started_at, now()),
                lease_owner = :node,
                lease_until = now() + (j.target ->> 'timeout')::interval + interval '30 seconds'
            from due, jobs j
            where r.id = due.id and j.id = r.job_id
            returning r.id, r.job_id, r.tenant_id, j.name, r.scheduled_for, r.attempts, j.target::text,
                      j.retry::text, (%s) as secrets
            """
                .formatted(JobStore.SECRETS_OF_TENANT))
        .param("node", nodeId)
        .param("batch", batch)
        .param("dead", JobStore.seconds(deadAfter))
        .param("busy", SqlArrays.of("bigint", busyTenants, id -> id))
        .query(
            (rs, row) ->
                new OwnedRun(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getLong(3),
                    rs.getString(4),
                    rs.getTimestamp(5).toInstant(),
                    rs.getInt(6),
                    definitions.target(rs.getString(7)),
                    definitions.retry(rs.getString(8)),
                    JobDefinitions.secrets(rs.getString(9))))
        .list();
  }

  /** How an attempt ends for the run: finished, or waiting {@code retryIn} for another. */
  record Outcome(
      long runId,
      int attempt,
      String status,
      Integer httpStatus,
      String error,
      String snippet,
      long durationMs,
      Duration retryIn) {}

  /** Records a batch of outcomes in one statement; returns how many were still ours. */
  int complete(String nodeId, List<Outcome> outcomes) {
    return jdbc.sql(
            """
            update runs r
            set status = o.status,
                finished_at = case when o.status in ('SUCCEEDED', 'FAILED') then now() end,
                duration_ms = o.duration_ms,
                http_status = o.http_status,
                error = o.error,
                response_snippet = o.snippet,
                next_attempt_at = case when o.status = 'RETRYING'
                                       then now() + make_interval(secs => o.retry_in) end,
                lease_owner = null,
                lease_until = null
            from unnest(:ids::bigint[], :attempts::int[], :statuses::text[], :https::int[],
                        :errors::text[], :snippets::text[], :durations::bigint[],
                        :retries::float8[])
                 as o(id, attempt, status, http_status, error, snippet, duration_ms, retry_in)
            where r.id = o.id and r.lease_owner = :node and r.attempts = o.attempt
            """)
        .param("node", nodeId)
        .param("ids", SqlArrays.of("bigint", outcomes, Outcome::runId))
        .param("attempts", SqlArrays.of("int", outcomes, Outcome::attempt))
        .param("statuses", SqlArrays.of("text", outcomes, Outcome::status))
        .param("https", SqlArrays.of("int", outcomes, Outcome::httpStatus))
        .param("errors", SqlArrays.of("text", outcomes, Outcome::error))
        .param("snippets", SqlArrays.of("text", outcomes, o -> stripNul(o.snippet())))
        .param("durations", SqlArrays.of("bigint", outcomes, Outcome::durationMs))
        .param(
            "retries",
            SqlArrays.of(
                "float8",
                outcomes,
                o -> o.retryIn() == null ? null : JobStore.seconds(o.retryIn())))
        .update();
  }

  /**
   * Shutdown: runs this node holds but will not deliver go back to the queue, due now, for any
   * node; the attempt that never happened is not counted.
   */
  int handBack(String nodeId) {
    return jdbc.sql(
            """
            update runs
            set status = case when attempts > 1 then 'RETRYING' else 'PENDING' end,
                attempts = attempts - 1, lease_owner = null, lease_until = null,
                next_attempt_at = now()
            where lease_owner = :node and status = 'RUNNING'
            """)
        .param("node", nodeId)
        .update();
  }

  /** Deletes up to {@code batch} finished runs older than {@code age}; returns how many. */
  int deleteFinishedBefore(Duration age, int batch) {
    return jdbc.sql(
            """
            delete from runs where id in (
                select id from runs
                where finished_at < now() - make_interval(secs => :age)
                order by finished_at
                limit :batch)
            """)
        .param("age", JobStore.seconds(age))
        .param("batch", batch)
        .update();
  }

  /** PostgreSQL text cannot hold NUL; a binary answer keeps the rest. */
  private static String stripNul(String s) {
    return s == null ? null : s.replace("\u0000", "");
  }
}
