package dev.punctual.engine;

import dev.punctual.db.Sql;
import dev.punctual.db.SqlArrays;
import dev.punctual.definition.DefinitionCodec;
import dev.punctual.definition.JobDefinition;
import dev.punctual.definition.Leases;
import dev.punctual.definition.UnreadableDefinitionException;
import dev.punctual.notification.EventSql;
import dev.punctual.queue.NewRuns;
import dev.punctual.queue.RunTrigger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The trigger stage's SQL on {@code jobs} and {@code runs}. Every conditional write checks the
 * lease: a node that lost its lease (a long pause, a network split) writes nothing.
 */
final class JobStore {
  /** A batch's advance ({@link #fire}); package-private for {@code PlanCacheIT}, which plans it. */
  static final String FIRE =
      """
      update jobs j
      set next_fire_at = f.next_fire_at,
          completed = f.completed,
          scheduled_runs = j.scheduled_runs + f.runs,
          fencing_token = j.fencing_token + 1,
          lease_owner = case when f.keep
                                  and f.next_fire_at <= now() + make_interval(secs => :lookahead)
                             then :node end,
          lease_until = case when f.keep
                                  and f.next_fire_at <= now() + make_interval(secs => :lookahead)
                             then now() + make_interval(secs => :lease) end
      from unnest(:ids::bigint[], :tokens::bigint[], :nexts::text[]::timestamptz[],
                  :completed::boolean[], :runs::int[], :keep::boolean[])
           as f(id, token, next_fire_at, completed, runs, keep)
      where j.id = f.id and j.fencing_token = f.token
      returning j.id, j.fencing_token, j.next_fire_at, j.lease_owner is not null as kept,
                j.max_runs - j.scheduled_runs as runs_left
      """;

  private final JdbcClient jdbc;

  /** The fire's runs are written by the queue, in the fire's transaction. */
  private final NewRuns newRuns;

  /** How long past an attempt's timeout a run fired here stays leased to this node. */
  private final Duration attemptMargin;

  JobStore(JdbcClient jdbc, Duration attemptMargin) {
    this.jdbc = jdbc;
    this.newRuns = new NewRuns(jdbc);
    this.attemptMargin = attemptMargin;
  }

  /**
   * A claim's jobs, the rows among them whose definition could not be decoded (to be marked broken
   * by the caller), and the database clock at the claim.
   */
  record Claim(List<ClaimedJob> jobs, List<ClaimedJob.BrokenJob> broken, Instant databaseNow) {
    int size() {
      return jobs.size() + broken.size();
    }
  }

  /**
   * Claims up to {@code batch} jobs due within the look-ahead whose lease is free, expired, or held
   * by a dead node, in one statement, leaving out the jobs of the {@code exhausted} tenants (out of
   * fire budget); bumps each one's fencing token.
   */
  Claim claim(
      String nodeId,
      int batch,
      Duration lookahead,
      Duration lease,
      Duration deadAfter,
      List<Long> exhausted) {
    ClaimReader reader = new ClaimReader();
    jdbc.sql(
            """
            with due as (
                select j.id from jobs j
                where j.next_fire_at <= now() + make_interval(secs => :lookahead)
                  and %s
                order by j.next_fire_at
                limit :batch
                for update skip locked
            )
            update jobs j
            set lease_owner = :node,
                lease_until = now() + make_interval(secs => :lease),
                fencing_token = j.fencing_token + 1
            from due
            where j.id = due.id
            returning %s
            """
                .formatted(LEASE_IS_FREE, CLAIMED_COLUMNS))
        .param("node", nodeId)
        .param("batch", batch)
        .param("lookahead", Sql.seconds(lookahead))
        .param("lease", Sql.seconds(lease))
        .param("dead", Sql.seconds(deadAfter))
        .param("exhausted", SqlArrays.bigints(exhausted, id -> id))
        .query(reader)
        .list();
    return reader.claim();
  }

  /**
   * Locks, in the caller's transaction, up to {@code batch} jobs already due whose lease is free,
   * expired, or held by a dead node, without writing them: the caller fires them at once with
   * {@link #fire} in the same transaction. A backlog of due jobs (a burst of one-shots, a node that
   * was down) thus costs one write per fire instead of two (a lease, then the advance).
   */
  Claim lockDue(int batch, Duration deadAfter, List<Long> exhausted) {
    ClaimReader reader = new ClaimReader();
    jdbc.sql(
            """
            select %s from jobs j
            where j.next_fire_at <= now()
              and %s
            order by j.next_fire_at
            limit :batch
            for update skip locked
            """
                .formatted(CLAIMED_COLUMNS, LEASE_IS_FREE))
        .param("batch", batch)
        .param("dead", Sql.seconds(deadAfter))
        .param("exhausted", SqlArrays.bigints(exhausted, id -> id))
        .query(reader)
        .list();
    return reader.claim();
  }

  /**
   * Quarantines jobs that cannot be fired: the reason is kept, the fire time cleared (no claim sees
   * the row again) and the lease given back. Fenced by token and version, so a job the API rewrote
   * since the claim is left alone. Returns the jobs marked, which the caller logs: a row is marked
   * once, as it is never claimed again until a write repairs it.
   */
  List<ClaimedJob.BrokenJob> markBroken(List<ClaimedJob.BrokenJob> broken) {
    if (broken.isEmpty()) {
      return List.of();
    }
    List<Long> marked =
        jdbc.sql(
                """
                with marked as (
                    update jobs j
                    set broken_reason = b.reason, next_fire_at = null, lease_owner = null,
                        lease_until = null, fencing_token = j.fencing_token + 1
                    from unnest(:ids::bigint[], :tokens::bigint[], :versions::bigint[],
                                :reasons::text[]) as b(id, token, version, reason)
                    where j.id = b.id and j.fencing_token = b.token and j.version = b.version
                    returning j.id, j.tenant_id, j.name, j.notification_url, b.reason
                ),
                broken_events as (
                    %s
                )
                select id from marked
                """
                    .formatted(
                        EventSql.insertFrom(
                            """
                            select m.tenant_id, 'job.broken' as type, m.id as job_id,
                                   null::bigint as run_id,
                                   jsonb_build_object('jobId', m.id::text, 'jobName', m.name,
                                                      'reason', m.reason) as data,
                                   m.notification_url as job_url
                            from marked m
                            """)))
            .param("ids", SqlArrays.bigints(broken, ClaimedJob.BrokenJob::id))
            .param("tokens", SqlArrays.bigints(broken, ClaimedJob.BrokenJob::fencingToken))
            .param("versions", SqlArrays.bigints(broken, ClaimedJob.BrokenJob::version))
            .param("reasons", SqlArrays.texts(broken, b -> Sql.stripNul(b.reason())))
            .query(Long.class)
            .list();
    return broken.stream().filter(b -> marked.contains(b.id())).toList();
  }

  /** The number of jobs marked broken, for the gauge {@code punctual_jobs_broken}. */
  long countBroken() {
    return jdbc.sql("select count(*) from jobs where broken_reason is not null")
        .query(Long.class)
        .single();
  }

  /** A job ({@code j}) whose lease no live node holds, of a tenant with fire budget left. */
  private static final String LEASE_IS_FREE =
      """
      (j.lease_owner is null
           or j.lease_until < now()
           or not exists (select 1 from nodes n
                          where n.id = j.lease_owner
                            and n.heartbeat_at > now() - make_interval(secs => :dead)))
        and j.tenant_id <> all(:exhausted::bigint[])\
      """;

  private static final String CLAIMED_COLUMNS =
      """
      j.id, j.tenant_id, j.name, j.version, j.next_fire_at, j.fencing_token, j.schedule, j.target,
      j.retry, j.overlap, j.misfire, j.max_runs - j.scheduled_runs as runs_left,
      j.pause_after_failures is not null as counts_failures,
      now() as database_now, (%s) as secrets\
      """
          .formatted(Sql.signingSecretsOf("j.tenant_id"));

  /**
   * Reads claimed rows into jobs, and the database clock from the first row. A row whose definition
   * does not decode goes to the broken list instead: one bad row must not fail the claim of the
   * others (the claim statement has already leased or locked them all).
   */
  private static final class ClaimReader implements RowMapper<ClaimedJob> {
    private final List<ClaimedJob> jobs = new ArrayList<>();
    private final List<ClaimedJob.BrokenJob> broken = new ArrayList<>();
    private Instant databaseNow;

    @Override
    public ClaimedJob mapRow(ResultSet rs, int row) throws SQLException {
      if (row == 0) {
        databaseNow = rs.getTimestamp("database_now").toInstant();
      }
      long id = rs.getLong("id");
      long tenantId = rs.getLong("tenant_id");
      String name = rs.getString("name");
      long version = rs.getLong("version");
      long token = rs.getLong("fencing_token");
      JobDefinition definition;
      try {
        definition =
            DefinitionCodec.decode(
                rs.getString("schedule"),
                rs.getString("target"),
                rs.getString("retry"),
                rs.getString("overlap"),
                rs.getString("misfire"));
      } catch (UnreadableDefinitionException e) {
        broken.add(new ClaimedJob.BrokenJob(id, tenantId, name, token, version, e.getMessage()));
        return null;
      }
      ClaimedJob job =
          new ClaimedJob(
              id,
              tenantId,
              name,
              version,
              rs.getTimestamp("next_fire_at").toInstant(),
              token,
              definition,
              Sql.signingSecrets(rs.getString("secrets")),
              rs.getObject("runs_left", Long.class),
              rs.getBoolean("counts_failures"));
      jobs.add(job);
      return job;
    }

    Claim claim() {
      return new Claim(List.copyOf(jobs), List.copyOf(broken), databaseNow);
    }
  }

  /**
   * What one fire does to its job: the schedule's next state, the runs of the schedule it records
   * (counted against {@code maxRuns}), and whether this node may keep the job for its next fire
   * (when that is within the look-ahead) or must let it go to a claim.
   */
  record Advance(ClaimedJob job, Instant nextFireAt, boolean completed, int runs, boolean keep) {}

  /**
   * A run to insert for a fire; {@code deliverHere}: it starts {@code RUNNING}, owned by this node
   * (its own delivery queue), otherwise {@code PENDING} for any worker.
   */
  record NewRun(ClaimedJob job, Instant scheduledFor, RunTrigger trigger, boolean deliverHere) {}

  /** An advanced job this node keeps the lease of, because its next fire is near. */
  record Kept(long jobId, long token, Instant nextFireAt, Long runsLeft) {}

  record FireResult(List<Long> won, List<Kept> kept, List<NewRuns.Created> runs) {}

  /**
   * Fires a batch, in the caller's transaction: advances each job whose fencing token is still the
   * one this node read (when it claimed the job's lease, or locked the row with {@link #lockDue}),
   * then inserts the runs of the jobs that advanced ({@code ON CONFLICT DO NOTHING} on the
   * one-run-per-fire-time index backs the fencing up). Jobs whose next fire is within the
   * look-ahead, and that {@link Advance#keep} allows, stay leased to this node, with a new token.
   *
   * <p>The token alone is the fence: every statement that changes a job's lease (a claim, a fire, a
   * release, a break, an API write, a pause by the service) bumps it, so an unchanged token means
   * the lease is still the one this node read. (Testing {@code lease_owner} too misled the planner
   * into a scan of {@code jobs} per batch; docs/engine.md, "A fire".)
   */
  FireResult fire(
      String nodeId,
      List<Advance> advances,
      List<NewRun> runs,
      Duration lookahead,
      Duration lease) {
    int n = advances.size();
    if (n == 0) {
      return new FireResult(List.of(), List.of(), List.of());
    }
    List<Long> won = new ArrayList<>(n);
    List<Kept> kept = new ArrayList<>();
    jdbc.sql(FIRE)
        .param("ids", SqlArrays.bigints(advances, a -> a.job().id()))
        .param("tokens", SqlArrays.bigints(advances, a -> a.job().fencingToken()))
        .param("nexts", SqlArrays.instants(advances, Advance::nextFireAt))
        .param("completed", SqlArrays.booleans(advances, Advance::completed))
        .param("runs", SqlArrays.ints(advances, Advance::runs))
        .param("keep", SqlArrays.booleans(advances, Advance::keep))
        .param("node", nodeId)
        .param("lookahead", Sql.seconds(lookahead))
        .param("lease", Sql.seconds(lease))
        .query(
            (rs, row) -> {
              long id = rs.getLong(1);
              won.add(id);
              if (rs.getBoolean(4)) {
                kept.add(
                    new Kept(
                        id,
                        rs.getLong(2),
                        rs.getTimestamp(3).toInstant(),
                        rs.getObject(5, Long.class)));
              }
              return id;
            })
        .list();
    if (won.isEmpty() || runs.isEmpty()) {
      return new FireResult(won, kept, List.of());
    }
    return new FireResult(won, kept, insertRuns(nodeId, won, runs));
  }

  private List<NewRuns.Created> insertRuns(String nodeId, List<Long> won, List<NewRun> runs) {
    List<NewRuns.FiredRun> fired = new ArrayList<>(runs.size());
    for (NewRun r : runs) {
      fired.add(
          new NewRuns.FiredRun(
              r.job().id(),
              r.job().tenantId(),
              r.scheduledFor(),
              r.trigger(),
              r.job().skipOverlapping(),
              // A delivery is owned for its timeout plus a margin; past that another node may
              // retry.
              Leases.ofAttempt(r.job().definition().target().timeout(), attemptMargin),
              r.deliverHere()));
    }
    return newRuns.fired(nodeId, won, fired);
  }

  /**
   * Fire times a job missed without a run of their own (given up under {@code SKIP}, or folded into
   * one catch-up run under {@code FIRE_ONCE}, or past the 100 of {@code FIRE_ALL}).
   */
  record Misfire(
      long jobId, String policy, int missed, int caughtUp, Instant first, Instant last) {}

  /**
   * Records a {@code job.misfired} event per misfire, in the caller's transaction (the fire's):
   * only for the jobs of {@code won}, whose fire this transaction recorded.
   */
  void recordMisfires(List<Misfire> misfires, List<Long> won) {
    if (misfires.isEmpty() || won.isEmpty()) {
      return;
    }
    jdbc.sql(
            EventSql.insertFrom(
                """
                select j.tenant_id, 'job.misfired' as type, j.id as job_id,
                       null::bigint as run_id,
                       jsonb_build_object('jobId', j.id::text, 'jobName', j.name,
                                          'policy', m.policy, 'missed', m.missed,
                                          'caughtUp', m.caught_up,
                                          'firstMissed', %s, 'lastMissed', %s) as data,
                       j.notification_url as job_url
                from unnest(:ids::bigint[], :policies::text[], :missed::int[], :caught::int[],
                            :firsts::text[]::timestamptz[], :lasts::text[]::timestamptz[])
                     as m(job_id, policy, missed, caught_up, first_missed, last_missed)
                join jobs j on j.id = m.job_id
                where m.job_id = any(:won::bigint[])
                """
                    .formatted(
                        EventSql.instant("m.first_missed"), EventSql.instant("m.last_missed"))))
        .param("ids", SqlArrays.bigints(misfires, Misfire::jobId))
        .param("policies", SqlArrays.texts(misfires, Misfire::policy))
        .param("missed", SqlArrays.ints(misfires, Misfire::missed))
        .param("caught", SqlArrays.ints(misfires, Misfire::caughtUp))
        .param("firsts", SqlArrays.instants(misfires, Misfire::first))
        .param("lasts", SqlArrays.instants(misfires, Misfire::last))
        .param("won", SqlArrays.bigints(won, id -> id))
        .update();
  }

  /**
   * Locks, in the caller's transaction and in id order (outcome writers of two nodes must not
   * deadlock), the jobs whose count of runs failed in a row a batch may change: those of {@code
   * failing} (a run failed after the batch's last success), and those of {@code succeeding} whose
   * count is not 0. Read as they are now, not as the statement's snapshot saw them: another node's
   * count may have just been written.
   */
  List<FailureCount.Counted> lockFailureCounts(List<Long> failing, List<Long> succeeding) {
    return jdbc.sql(
            """
            select id, enabled, consecutive_failures, pause_after_failures from jobs
            where id = any(:failing::bigint[])
               or (id = any(:succeeding::bigint[]) and consecutive_failures > 0)
            order by id
            for update
            """)
        .param("failing", SqlArrays.bigints(failing, id -> id))
        .param("succeeding", SqlArrays.bigints(succeeding, id -> id))
        .query(
            (rs, row) ->
                new FailureCount.Counted(
                    rs.getLong(1), rs.getBoolean(2), rs.getInt(3), rs.getObject(4, Integer.class)))
        .list();
  }

  /** A job the outcomes just paused: {@code pauseAfterFailures} runs in a row failed. */
  record AutoPaused(long jobId, long tenantId, String name, int failures, long lastRunId) {}

  /**
   * Writes each job's new count, and pauses those the decision pauses as an API pause does (the
   * lease dropped and the fencing token bumped, so a node holding the job in its timer does not
   * fire it), with a {@code job.paused} event each. Returns the jobs paused.
   */
  List<AutoPaused> applyFailureCounts(List<FailureCount.Decision> decisions) {
    if (decisions.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(
            """
            with updated as (
                update jobs j
                set consecutive_failures = d.failures,
                    enabled = case when d.pause then false else j.enabled end,
                    paused_reason = case when d.pause then d.reason else j.paused_reason end,
                    next_fire_at = case when d.pause then null else j.next_fire_at end,
                    lease_owner = case when d.pause then null else j.lease_owner end,
                    lease_until = case when d.pause then null else j.lease_until end,
                    fencing_token = j.fencing_token + case when d.pause then 1 else 0 end,
                    version = j.version + case when d.pause then 1 else 0 end,
                    updated_at = case when d.pause then now() else j.updated_at end
                from unnest(:ids::bigint[], :failures::int[], :pause::boolean[], :reasons::text[],
                            :last::bigint[]) as d(id, failures, pause, reason, last_failed)
                where j.id = d.id
                returning j.id, j.tenant_id, j.name, j.notification_url, j.paused_reason,
                          d.failures, d.last_failed, d.pause
            ),
            paused_events as (
                %s
            )
            select id, tenant_id, name, failures, last_failed from updated where pause
            """
                .formatted(
                    EventSql.insertFrom(
                        """
                        select u.tenant_id, 'job.paused' as type, u.id as job_id,
                               u.last_failed as run_id,
                               jsonb_build_object('jobId', u.id::text, 'jobName', u.name,
                                                  'reason', u.paused_reason,
                                                  'failures', u.failures,
                                                  'lastRunId', u.last_failed::text) as data,
                               u.notification_url as job_url
                        from updated u
                        where u.pause
                        """)))
        .param("ids", SqlArrays.bigints(decisions, FailureCount.Decision::jobId))
        .param("failures", SqlArrays.ints(decisions, FailureCount.Decision::failuresInARow))
        .param("pause", SqlArrays.booleans(decisions, FailureCount.Decision::pause))
        .param("reasons", SqlArrays.texts(decisions, FailureCount.Decision::reason))
        .param("last", SqlArrays.bigints(decisions, FailureCount.Decision::lastFailedRun))
        .query(
            (rs, row) ->
                new AutoPaused(
                    rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getInt(4), rs.getLong(5)))
        .list();
  }

  /** Gives back the leases of jobs this node claimed and will not fire (shutdown). */
  int handBack(String nodeId) {
    return jdbc.sql(
            """
            update jobs set lease_owner = null, lease_until = null, fencing_token = fencing_token + 1
            where lease_owner = :node
            """)
        .param("node", nodeId)
        .update();
  }
}
