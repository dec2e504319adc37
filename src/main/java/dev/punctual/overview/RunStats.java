package dev.punctual.overview;

import dev.punctual.config.BackgroundTask;
import dev.punctual.queue.RunSql;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Counts finished runs into {@code run_stats}, per tenant and minute, once each minute is over, so
 * that the overview reads a day of any tenant from 1,440 small rows instead of counting its runs.
 * Every node tries every 15 s; the progress row's lock makes them take turns, and a minute counted
 * twice is impossible (the progress moves in the same transaction as the insert).
 *
 * <p>A minute is counted 30 s after it ends: an outcome is stamped {@code now()} by a transaction
 * that commits a few milliseconds later, and one still committing 30 s after would be left out of
 * the counts (never out of the runs). Runs whose job is deleted stay counted: they happened.
 */
@Component
public class RunStats extends BackgroundTask {
  private static final Logger log = LoggerFactory.getLogger(RunStats.class);

  /** Upper bounds (exclusive, ms) of the lag histogram's buckets; one more bucket is unbounded. */
  public static final long[] LAG_BOUNDS_MS = {
    10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000
  };

  static final Duration GRACE = Duration.ofSeconds(30);
  static final Duration KEPT = Duration.ofDays(2);
  static final Duration MAX_PER_TURN = Duration.ofHours(1);
  private static final Duration INTERVAL = Duration.ofSeconds(15);

  /**
   * Runs finished in {@code [:from, :until)} (and matching {@code filter}), per tenant and minute:
   * outcomes, and the schedule's fires by lag bucket (width_bucket: 0 below the first bound, n at
   * or above the n-th). Shared by the writer and the overview's live count, so both count alike.
   */
  static String perMinute(String filter) {
    String bounds =
        Arrays.stream(LAG_BOUNDS_MS)
            .mapToObj(Long::toString)
            .collect(Collectors.joining(",", "array[", "]::float8[]"));
    String histogram =
        IntStream.rangeClosed(0, LAG_BOUNDS_MS.length)
            .mapToObj(i -> "count(*) filter (where lag_bucket = " + i + ")")
            .collect(Collectors.joining(", ", "array[", "]::bigint[]"));
    return RunSql.of(
            """
        select tenant_id, date_bin(interval '1 minute', finished_at, timestamptz 'epoch') as minute,
               count(*) filter (where status = {SUCCEEDED}) as succeeded,
               count(*) filter (where status = {FAILED}) as failed,
               count(*) filter (where status = {SKIPPED}) as skipped,
               %s as lag_counts
        from (
            select tenant_id, finished_at, status,
                   case when started_at is not null and trigger in ({SCHEDULE}, {CATCH_UP})
                        then width_bucket(extract(epoch from started_at - scheduled_for) * 1000, %s)
                   end as lag_bucket
            from runs
            where finished_at >= :from and finished_at < :until %s
        ) r
        group by 1, 2
        """)
        .formatted(histogram, bounds, filter);
  }

  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;

  RunStats(JdbcClient jdbc, TransactionTemplate transactions) {
    super("punctual-run-stats", Duration.ZERO, INTERVAL);
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  /**
   * Counts the minutes over (by {@link #GRACE}) that are not counted yet, an hour of them at most
   * per call, none older than a day (after a longer outage the older minutes are left out: the
   * overview shows a day). Answers whether minutes are left to count.
   */
  boolean countFinishedMinutes() {
    return Boolean.TRUE.equals(transactions.execute(status -> countOneTurn()));
  }

  /** One turn, in the caller's transaction: the progress row's lock keeps other nodes out. */
  private boolean countOneTurn() {
    Instant from =
        jdbc.sql("select counted_until from run_stats_progress where id = 1 for update")
            .query(Instant.class)
            .single();
    Instant until =
        jdbc.sql(
                """
                select greatest(:from, date_bin(interval '1 minute',
                    now() - make_interval(secs => :grace), timestamptz 'epoch'))
                """)
            .param("from", Timestamp.from(from))
            .param("grace", (double) GRACE.toSeconds())
            .query(Instant.class)
            .single();
    if (!until.isAfter(from)) {
      return false;
    }
    Instant floor = until.minus(Duration.ofDays(1));
    Instant start = from.isBefore(floor) ? floor : from;
    // At most an hour per turn: after an upgrade or a long outage the day is caught up in turns
    // of bounded size instead of one statement over a day of runs.
    boolean more = until.isAfter(start.plus(MAX_PER_TURN));
    if (more) {
      until = start.plus(MAX_PER_TURN);
    }
    // A minute counted already stays as counted (the progress only moves forward, unless an
    // operator moves it back to count again).
    jdbc.sql(
            "insert into run_stats (tenant_id, minute, succeeded, failed, skipped, lag_counts) "
                + perMinute("")
                + " on conflict (tenant_id, minute) do nothing")
        .param("from", Timestamp.from(start))
        .param("until", Timestamp.from(until))
        .update();
    jdbc.sql("update run_stats_progress set counted_until = :until where id = 1")
        .param("until", Timestamp.from(until))
        .update();
    jdbc.sql("delete from run_stats where minute < now() - make_interval(secs => :kept)")
        .param("kept", (double) KEPT.toSeconds())
        .update();
    return more;
  }

  @Override
  protected void runOnce() {
    try {
      // Catching up goes on turn after turn (an hour each), without waiting for the next tick.
      while (countFinishedMinutes() && running()) {
        log.debug("Run counts: catching up");
      }
    } catch (RuntimeException e) {
      // The database may be away; the next turn counts what this one did not.
      log.debug("Run counts: {}", e.toString());
    }
  }
}
