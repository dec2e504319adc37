package dev.punctual.overview;

import dev.punctual.db.Sql;
import dev.punctual.queue.RunSql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The overview's queries. The run counts and the lag come from {@code run_stats} (written by {@link
 * RunStats}) for the minutes counted already and from the runs for the last minute or two, so a
 * page costs the same with a thousand runs a day or a million.
 */
@Repository
class OverviewQueries {
  static final Duration SMALL_BUCKET = Duration.ofMinutes(5);
  static final int LIST_SIZE = 10;

  private final JdbcClient jdbc;

  OverviewQueries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** One minute of a tenant's finished runs, from run_stats or counted live. */
  private record Minute(
      Instant start, long succeeded, long failed, long skipped, long[] lagCounts) {}

  Overview overview(long tenant) {
    Instant now = jdbc.sql("select now()").query(Instant.class).single();
    Instant hourStart = floor(now, SMALL_BUCKET).minus(SMALL_BUCKET.multipliedBy(11));
    Instant dayStart = floor(now, Duration.ofHours(1)).minus(Duration.ofHours(23));
    List<Minute> minutes = minutes(tenant, dayStart, now);
    return new Overview(
        now,
        window(minutes, hourStart, SMALL_BUCKET, 12),
        window(minutes, dayStart, Duration.ofHours(1), 24),
        lag(minutes, now.minus(Duration.ofHours(1))),
        runsWaiting(tenant),
        nextJobs(tenant),
        attention(tenant));
  }

  /**
   * The tenant's minutes since {@code from}: those counted already from {@code run_stats} (a
   * primary-key range), the rest (the last minute or two) counted from its runs now.
   */
  private List<Minute> minutes(long tenant, Instant from, Instant now) {
    Instant countedUntil =
        jdbc.sql("select counted_until from run_stats_progress where id = 1")
            .query(Instant.class)
            .single();
    List<Minute> minutes =
        new ArrayList<>(
            jdbc.sql(
                    """
                    select minute, succeeded, failed, skipped, lag_counts from run_stats
                    where tenant_id = :tenant and minute >= :from and minute < :until
                    """)
                .param("tenant", tenant)
                .param("from", Timestamp.from(from))
                .param("until", Timestamp.from(countedUntil))
                .query(this::minute)
                .list());
    Instant liveFrom = countedUntil.isAfter(from) ? countedUntil : from;
    minutes.addAll(
        jdbc.sql(
                "select minute, succeeded, failed, skipped, lag_counts from ("
                    + RunStats.perMinute("and tenant_id = :tenant")
                    + ") live")
            .param("tenant", tenant)
            .param("from", Timestamp.from(liveFrom))
            .param("until", Timestamp.from(now.plusMillis(1)))
            .query(this::minute)
            .list());
    return minutes;
  }

  private Minute minute(ResultSet rs, int row) throws SQLException {
    Long[] counts = (Long[]) rs.getArray("lag_counts").getArray();
    long[] lag = new long[RunStats.LAG_BOUNDS_MS.length + 1];
    for (int i = 0; i < lag.length && i < counts.length; i++) {
      lag[i] = counts[i];
    }
    return new Minute(
        rs.getObject("minute", OffsetDateTime.class).toInstant(),
        rs.getLong("succeeded"),
        rs.getLong("failed"),
        rs.getLong("skipped"),
        lag);
  }

  /** {@code count} buckets of {@code size} from {@code start}, with the minutes that fall in. */
  private static Overview.Window window(
      List<Minute> minutes, Instant start, Duration size, int count) {
    long[][] sums = new long[count][3];
    for (Minute m : minutes) {
      if (m.start().isBefore(start)) {
        continue;
      }
      int i = (int) (Duration.between(start, m.start()).toMillis() / size.toMillis());
      if (i < count) {
        sums[i][0] += m.succeeded();
        sums[i][1] += m.failed();
        sums[i][2] += m.skipped();
      }
    }
    List<Overview.Bucket> buckets = new ArrayList<>();
    long succeeded = 0;
    long failed = 0;
    long skipped = 0;
    for (int i = 0; i < count; i++) {
      buckets.add(
          new Overview.Bucket(
              start.plus(size.multipliedBy(i)), sums[i][0], sums[i][1], sums[i][2]));
      succeeded += sums[i][0];
      failed += sums[i][1];
      skipped += sums[i][2];
    }
    return new Overview.Window(succeeded, failed, skipped, buckets);
  }

  /**
   * The lag percentiles of the schedule's fires finished since {@code since}, from the merged
   * histograms, interpolated within a bucket as Prometheus' histogram_quantile does: exact to
   * within the bucket's bounds (10, 25, 50, 100, 250 ms...).
   */
  static Overview.Lag lag(List<Minute> minutes, Instant since) {
    long[] merged = new long[RunStats.LAG_BOUNDS_MS.length + 1];
    for (Minute m : minutes) {
      if (!m.start().isBefore(floor(since, Duration.ofMinutes(1)))) {
        for (int i = 0; i < merged.length; i++) {
          merged[i] += m.lagCounts()[i];
        }
      }
    }
    long total = Arrays.stream(merged).sum();
    if (total == 0) {
      return new Overview.Lag(0, null, null);
    }
    return new Overview.Lag(total, quantile(merged, total, 0.5), quantile(merged, total, 0.99));
  }

  private static long quantile(long[] counts, long total, double q) {
    double rank = q * total;
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (seen + counts[i] >= rank && counts[i] > 0) {
        long lower = i == 0 ? 0 : RunStats.LAG_BOUNDS_MS[i - 1];
        if (i == RunStats.LAG_BOUNDS_MS.length) {
          return lower; // the unbounded bucket: at least its lower bound
        }
        long upper = RunStats.LAG_BOUNDS_MS[i];
        return Math.round(lower + (upper - lower) * (rank - seen) / counts[i]);
      }
      seen += counts[i];
    }
    return RunStats.LAG_BOUNDS_MS[RunStats.LAG_BOUNDS_MS.length - 1];
  }

  private static Instant floor(Instant t, Duration size) {
    long ms = size.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), ms) * ms);
  }

  /** Runs due whose attempt has not started: the backlog of this tenant. */
  private long runsWaiting(long tenant) {
    return jdbc.sql(
            RunSql.of(
                """
            select count(*) from runs
            where status in ({PENDING}, {RETRYING}) and next_attempt_at <= now()
              and tenant_id = :tenant
            """))
        .param("tenant", tenant)
        .query(Long.class)
        .single();
  }

  private List<Overview.NextJob> nextJobs(long tenant) {
    return jdbc.sql(
            """
            select id, name, next_fire_at from jobs
            where tenant_id = :tenant and next_fire_at is not null and broken_reason is null
              and enabled and not completed
            order by next_fire_at limit :limit
            """)
        .param("tenant", tenant)
        .param("limit", LIST_SIZE)
        .query(
            (rs, row) ->
                new Overview.NextJob(
                    Long.toString(rs.getLong(1)), rs.getString(2), Sql.instant(rs, 3)))
        .list();
  }

  /**
   * Jobs broken, paused by the service, or failing: whose newest run failed within the last day
   * (among the 100 jobs that failed most recently: the day's failed runs by {@code runs_failed},
   * then each job's newest run by {@code runs_job}; {@code consecutive_failures} is only kept for
   * jobs with {@code pauseAfterFailures}).
   */
  private List<Overview.JobNeedingAttention> attention(long tenant) {
    return jdbc.sql(
            RunSql.of(
                """
            with failed_today as (
                select job_id, max(finished_at) as last_failed from runs
                where tenant_id = :tenant and status = {FAILED}
                  and finished_at > now() - interval '1 day'
                group by job_id
                order by last_failed desc
                limit 100
            ),
            failing as (
                select f.job_id from failed_today f
                cross join lateral (
                    select r.status from runs r where r.job_id = f.job_id
                    order by r.id desc limit 1) newest
                where newest.status = {FAILED}
            )
            select id, name,
                   case when broken_reason is not null then 'BROKEN'
                        when not enabled then 'PAUSED' else 'ACTIVE' end,
                   coalesce(broken_reason, paused_reason, 'its newest run failed')
            from jobs
            where tenant_id = :tenant
              and (broken_reason is not null or paused_reason is not null
                   or id in (select job_id from failing))
            order by broken_reason is null, paused_reason is null, id desc
            limit :limit
            """))
        .param("tenant", tenant)
        .param("limit", LIST_SIZE)
        .query(
            (rs, row) ->
                new Overview.JobNeedingAttention(
                    Long.toString(rs.getLong(1)),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4)))
        .list();
  }

  /** Each job's newest runs' outcomes, newest first: the strip of the job list. */
  Map<String, List<String>> recentOutcomes(long tenant, List<Long> jobIds, int perJob) {
    Map<String, List<String>> outcomes = new LinkedHashMap<>();
    jobIds.forEach(id -> outcomes.put(Long.toString(id), new ArrayList<>()));
    jdbc.sql(
            """
            select j.id, r.status
            from jobs j
            cross join lateral (
                select r.status, r.id from runs r where r.job_id = j.id
                order by r.id desc limit :per) r
            where j.tenant_id = :tenant and j.id = any(:ids::bigint[])
            order by j.id, r.id desc
            """)
        .param("tenant", tenant)
        .param(
            "ids", jobIds.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}")))
        .param("per", perJob)
        .query(
            (rs, row) -> {
              outcomes.get(Long.toString(rs.getLong(1))).add(rs.getString(2));
              return null;
            })
        .list();
    return outcomes;
  }
}
