package dev.punctual.queue;

import dev.punctual.db.Sql;
import dev.punctual.db.SqlArrays;
import dev.punctual.definition.DefinitionCodec;
import dev.punctual.definition.Leases;
import dev.punctual.definition.RetryPolicy;
import dev.punctual.definition.Target;
import dev.punctual.definition.UnreadableDefinitionException;
import dev.punctual.notification.EventSql;
import io.micrometer.tracing.TraceContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The delivery side of {@code runs}: runs are the queue. Workers claim due runs, renew their
 * leases, record outcomes, hand runs back when they stop; retention deletes finished ones. Every
 * status change is one of {@link RunTransition}'s. Outcomes are fenced by owner and attempt number,
 * so a node whose run was taken over records nothing; only a {@code RUNNING} run has an owner, so
 * the fence needs no status test (one would mislead the planner into scanning {@code runs} per
 * outcome when its statistics are older than a burst), and only a finished run has {@code
 * finished_at}, which is what retention reads.
 */
public final class RunQueue {
  private final JdbcClient jdbc;

  /** How long past an attempt's timeout a run claimed here stays leased to this node. */
  private final Duration attemptMargin;

  public RunQueue(JdbcClient jdbc, Duration attemptMargin) {
    this.jdbc = jdbc;
    this.attemptMargin = attemptMargin;
  }

  /**
   * A run this node is delivering: attempt {@code attempt} of it. {@code leasedAtNanos}: the node's
   * {@code Ticker} time before the statement that leased the run to it (its fire or its claim), so
   * that the lease is known to end no sooner than that plus the attempt's lease.
   */
  public record OwnedRun(
      long id,
      long jobId,
      long tenantId,
      String jobName,
      Instant scheduledFor,
      int attempt,
      Target target,
      RetryPolicy retry,
      List<String> signingSecrets,
      boolean countsFailures,
      TraceContext fireTrace,
      long leasedAtNanos) {

    /** The run with the trace context of its fire (this node fired it), for its attempt span. */
    public OwnedRun withFireTrace(TraceContext trace) {
      return new OwnedRun(
          id,
          jobId,
          tenantId,
          jobName,
          scheduledFor,
          attempt,
          target,
          retry,
          signingSecrets,
          countsFailures,
          trace,
          leasedAtNanos);
    }
  }

  /** A claimed run whose job's definition could not be decoded: it is failed with the reason. */
  public record BrokenRun(long id, long jobId, int attempt, String reason) {}

  /** A run claim: the runs to deliver, and those to fail at once. */
  public record RunClaim(List<OwnedRun> runs, List<BrokenRun> broken) {}

  /**
   * Claims up to {@code batch} runs whose attempt is due: pending or retrying ones, and running
   * ones whose owner died or whose lease ran out (their attempt is made again, with the same run
   * id, hence the same {@code Idempotency-Key}). Runs of the {@code busyTenants} (this node holds
   * as many of theirs as it takes) are left for later or for other nodes.
   */
  public RunClaim claim(
      String nodeId, int batch, Duration deadAfter, List<Long> busyTenants, long leasedAtNanos) {
    List<OwnedRun> owned = new ArrayList<>();
    List<BrokenRun> broken = new ArrayList<>();
    jdbc.sql(
            """
            with due as (
                select r.id from runs r
                where r.next_attempt_at <= now()
                  and r.status in %2$s
                  and (r.status <> %3$s
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
            set status = %3$s,
                attempts = r.attempts + 1,
                started_at = coalesce(r.started_at, now()),
                lease_owner = :node,
                lease_until = now() + make_interval(secs => j.attempt_timeout_ms / 1000.0 + :margin)
            from due, jobs j
            where r.id = due.id and j.id = r.job_id
            returning r.id, r.job_id, r.tenant_id, j.name, r.scheduled_for, r.attempts, j.target::text,
                      j.retry::text, (%1$s) as secrets, j.pause_after_failures is not null
            """
                .formatted(
                    Sql.signingSecretsOf("j.tenant_id"),
                    RunTransition.CLAIM.fromSql(),
                    RunTransition.CLAIM.to().sql()))
        .param("node", nodeId)
        .param("batch", batch)
        .param("dead", Sql.seconds(deadAfter))
        .param("margin", Sql.seconds(attemptMargin))
        .param("busy", SqlArrays.bigints(busyTenants, id -> id))
        .query(
            (rs, row) -> {
              long id = rs.getLong(1);
              long jobId = rs.getLong(2);
              int attempt = rs.getInt(6);
              try {
                owned.add(
                    new OwnedRun(
                        id,
                        jobId,
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getTimestamp(5).toInstant(),
                        attempt,
                        DefinitionCodec.decodeTarget(rs.getString(7)),
                        DefinitionCodec.decodeRetry(rs.getString(8)),
                        Sql.signingSecrets(rs.getString(9)),
                        rs.getBoolean(10),
                        null,
                        leasedAtNanos));
              } catch (UnreadableDefinitionException e) {
                broken.add(new BrokenRun(id, jobId, attempt, "job definition " + e.getMessage()));
              }
              return id;
            })
        .list();
    return new RunClaim(owned, broken);
  }

  /**
   * Renews the lease of attempt {@code attempt} of a run this node holds, for an attempt of {@code
   * timeout} starting now. False when the run is no longer this node's attempt to make: its lease
   * ran out while it waited in this node's queue and another claim (of any node) took it, as the
   * next attempt, or a stop handed it back.
   */
  public boolean renewLease(String nodeId, long runId, int attempt, Duration timeout) {
    return jdbc.sql(
                """
                update runs set lease_until = now() + make_interval(secs => :lease)
                where id = :id and lease_owner = :node and attempts = :attempt
                  and status = %s
                """
                    .formatted(RunStatus.RUNNING.sql()))
            .param("lease", Sql.seconds(Leases.ofAttempt(timeout, attemptMargin)))
            .param("id", runId)
            .param("node", nodeId)
            .param("attempt", attempt)
            .update()
        == 1;
  }

  /** The lease a run of this {@code timeout} is given (attempt timeout plus the margin). */
  public Duration leaseOf(Duration timeout) {
    return Leases.ofAttempt(timeout, attemptMargin);
  }

  public Duration attemptMargin() {
    return attemptMargin;
  }

  /**
   * Fails runs claimed by this node that cannot be attempted (their job's definition is
   * unreadable): {@code FAILED} at once, with the reason as the run's error, no retry.
   */
  public int failBroken(String nodeId, List<BrokenRun> broken) {
    if (broken.isEmpty()) {
      return 0;
    }
    return jdbc.sql(
            """
            with done as (
                update runs r
                set status = %2$s, finished_at = now(), error = b.reason,
                    next_attempt_at = null, lease_owner = null, lease_until = null
                from unnest(:ids::bigint[], :attempts::int[], :reasons::text[])
                     as b(id, attempt, reason)
                where r.id = b.id and r.lease_owner = :node and r.attempts = b.attempt
                returning r.id, r.job_id, r.tenant_id, r.trigger, r.scheduled_for, r.attempts,
                          r.status, r.result_code as code, r.error
            ),
            failed_events as (
                %1$s
            )
            select count(*) from done
            """
                .formatted(
                    RUN_FAILED_EVENTS, RunTransition.FAIL.to().sql(), RunTransition.FAIL.fromSql()))
        .param("node", nodeId)
        .param("ids", SqlArrays.bigints(broken, BrokenRun::id))
        .param("attempts", SqlArrays.ints(broken, BrokenRun::attempt))
        .param("reasons", SqlArrays.texts(broken, b -> Sql.stripNul(b.reason())))
        .query(Integer.class)
        .single();
  }

  /**
   * How an attempt ends for the run: finished, or waiting {@code retryIn} for another. {@code code}
   * is the target kind's result code (an HTTP target's status); {@code startedAt} is when the
   * attempt started, on this node's clock; {@code countsFailures}: the run's job has {@code
   * pauseAfterFailures}, so its runs failed in a row are counted (other jobs' outcomes never touch
   * the jobs table).
   */
  public record Outcome(
      long runId,
      int attempt,
      RunStatus status,
      Integer code,
      String error,
      String snippet,
      long durationMs,
      Duration retryIn,
      Instant startedAt,
      boolean countsFailures) {

    /** Whether recording this outcome may change its job's count of runs failed in a row. */
    public boolean countsForItsJob() {
      return countsFailures && RunStatus.FINISHED.contains(status);
    }

    /** An outcome ends an attempt: it moves a run out of {@code RUNNING}, to where it may. */
    public Outcome {
      if (!RunTransition.endsAttemptIn(status)) {
        throw new IllegalArgumentException("an attempt cannot end a run as " + status);
      }
    }
  }

  /** A {@code run.failed} event per run of {@code done} that ended FAILED. */
  private static final String RUN_FAILED_EVENTS =
      EventSql.insertFrom(
          RunSql.of(
              """
          select d.tenant_id, 'run.failed' as type, d.job_id, d.id as run_id,
                 jsonb_build_object('jobId', d.job_id::text, 'jobName', j.name,
                                    'runId', d.id::text, 'scheduledFor', %s,
                                    'trigger', d.trigger, 'attempts', d.attempts,
                                    'httpStatus', d.code, 'error', d.error) as data,
                 j.notification_url as job_url
          from done d join jobs j on j.id = d.job_id
          where d.status = {FAILED}
          """
                  .formatted(EventSql.instant("d.scheduled_for"))));

  /** A batch's outcomes ({@link #complete}). */
  private static final String COMPLETE =
      RunSql.of(
              """
            with done as (
                update runs r
                set status = o.status,
                    finished_at = case when o.status in ({SUCCEEDED}, {FAILED}) then now() end,
                    duration_ms = o.duration_ms,
                    result_code = o.code,
                    error = o.error,
                    response_snippet = o.snippet,
                    next_attempt_at = case when o.status = {RETRYING}
                                           then now() + make_interval(secs => o.retry_in) end,
                    attempt_started_at = o.started_at,
                    attempt_node = :node,
                    lease_owner = null,
                    lease_until = null
                from unnest(:ids::bigint[], :attempts::int[], :statuses::text[], :https::int[],
                            :errors::text[], :snippets::text[], :durations::bigint[],
                            :retries::float8[], :starts::text[]::timestamptz[],
                            :counts::boolean[])
                     as o(id, attempt, status, code, error, snippet, duration_ms, retry_in,
                          started_at, counts_failures)
                where r.id = o.id and r.lease_owner = :node and r.attempts = o.attempt
                returning r.id, r.job_id, r.tenant_id, r.trigger, r.scheduled_for, r.attempts,
                          r.status, r.next_attempt_at, o.started_at, o.duration_ms, o.code,
                          o.error, o.snippet, o.counts_failures
            ),
            recorded as (
                insert into run_attempts (run_id, number, started_at, duration_ms, node,
                                          result_code, error, response_snippet, retry_at)
                select id, attempts, started_at, duration_ms, :node, code, error, snippet,
                       next_attempt_at
                from done
                where status = {RETRYING} -- the attempt that ends a run is read from its row
                on conflict do nothing
            ),
            failed_events as (
                %s
            )
            select id, job_id, status = {SUCCEEDED} from done
            where counts_failures and status in ({SUCCEEDED}, {FAILED})
            """)
          .formatted(RUN_FAILED_EVENTS);

  /** An outcome recorded that finished a run of a job counting its failures in a row. */
  public record Finished(long runId, long jobId, boolean succeeded) {}

  /**
   * Records a batch of outcomes in one statement: each run's state (its row holds its latest
   * attempt), a {@code run_attempts} row for each attempt followed by a retry, and a {@code
   * run.failed} event for each run that failed. Outcomes are fenced by owner and attempt number:
   * one of a run taken over by another node records nothing. Returns the recorded outcomes that
   * finished a run of a job with {@code pauseAfterFailures}, for the caller to count (in the same
   * transaction).
   */
  public List<Finished> complete(String nodeId, List<Outcome> outcomes) {
    return jdbc.sql(COMPLETE)
        .param("node", nodeId)
        .param("ids", SqlArrays.bigints(outcomes, Outcome::runId))
        .param("attempts", SqlArrays.ints(outcomes, Outcome::attempt))
        .param("statuses", SqlArrays.texts(outcomes, o -> o.status().name()))
        .param("https", SqlArrays.ints(outcomes, Outcome::code))
        .param("errors", SqlArrays.texts(outcomes, o -> Sql.stripNul(o.error())))
        .param("snippets", SqlArrays.texts(outcomes, o -> Sql.stripNul(o.snippet())))
        .param("durations", SqlArrays.bigints(outcomes, Outcome::durationMs))
        .param(
            "retries",
            SqlArrays.doubles(outcomes, o -> o.retryIn() == null ? null : Sql.seconds(o.retryIn())))
        .param("starts", SqlArrays.instants(outcomes, Outcome::startedAt))
        .param("counts", SqlArrays.booleans(outcomes, Outcome::countsFailures))
        .query((rs, row) -> new Finished(rs.getLong(1), rs.getLong(2), rs.getBoolean(3)))
        .list();
  }

  /**
   * What a shutdown's hand-back did: runs given back unattempted, and runs left to be taken over.
   */
  public record HandBack(int notAttempted, int inProgress) {}

  /**
   * Shutdown: runs this node holds but has not attempted go back to the queue, due now, for any
   * node, the attempt that never happened not counted. Runs in {@code inProgress} (their request
   * may have reached the target, the outcome is unknown) keep their attempt: their lease ends now,
   * so that another node takes them over at once as it would a dead node's, with the next attempt
   * number.
   */
  public HandBack handBack(String nodeId, List<Long> inProgress) {
    return jdbc.sql(
            RunSql.of(
                """
            with not_attempted as (
                update runs
                set status = case when attempts > 1 then {RETRYING} else {PENDING} end,
                    attempts = attempts - 1, lease_owner = null, lease_until = null,
                    next_attempt_at = now()
                where lease_owner = :node and status = {RUNNING}
                  and id <> all(:in_progress::bigint[])
                returning 1
            ),
            in_progress as (
                update runs set lease_until = now()
                where lease_owner = :node and status = {RUNNING}
                  and id = any(:in_progress::bigint[])
                returning 1
            )
            select (select count(*) from not_attempted), (select count(*) from in_progress)
            """))
        .param("node", nodeId)
        .param("in_progress", SqlArrays.bigints(inProgress, id -> id))
        .query((rs, row) -> new HandBack(rs.getInt(1), rs.getInt(2)))
        .single();
  }

  /**
   * Runs due and not being delivered (pending, or waiting to retry, and due), up to {@code cap}:
   * the backlog the workers have not taken yet, read on the delivery queue's index.
   */
  public long countWaiting(int cap) {
    return jdbc.sql(
            RunSql.of(
                """
            select count(*) from (
                select 1 from runs
                where next_attempt_at <= now() and status in ({PENDING}, {RETRYING})
                limit :cap) w
            """))
        .param("cap", cap)
        .query(Long.class)
        .single();
  }

  /** Deletes up to {@code batch} finished runs older than {@code age}; returns how many. */
  public int deleteFinishedBefore(Duration age, int batch) {
    return jdbc.sql(
            """
            delete from runs where id in (
                select id from runs
                where finished_at < now() - make_interval(secs => :age)
                order by finished_at
                limit :batch)
            """)
        .param("age", Sql.seconds(age))
        .param("batch", batch)
        .update();
  }
}
