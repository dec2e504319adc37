package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.node.NodeStore;
import dev.punctual.queue.RunQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One retention pass: finished runs and events past the retention age go, in batches; a run still
 * in progress stays whatever its age, and so does everything younger; nodes dead for an hour are
 * forgotten, live ones kept.
 */
@Tag("own-database")
class RetentionIT {

  @Test
  void aPassDeletesWhatIsPastRetentionAndNothingElse() throws Exception {
    try (EngineHarness h = new EngineHarness();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 2)) {
      JdbcClient jdbc = JdbcClient.create(pool);
      long job =
          h.insertEverySecond("kept", Instant.now().plusSeconds(3600), "http://127.0.0.1:9/x");
      // More old finished runs than one batch, so the pass takes several.
      run(h, job, "SUCCEEDED", Duration.ofDays(8), Retention.BATCH + 5, true);
      run(h, job, "FAILED", Duration.ofDays(9), 3, true);
      run(h, job, "SUCCEEDED", Duration.ofDays(6), 4, true);
      run(h, job, "RETRYING", Duration.ofDays(30), 2, false);
      event(h, job, Duration.ofDays(8));
      event(h, job, Duration.ofDays(1));
      h.sql
          .sql("insert into nodes (id, roles) values ('gone', 'worker'), ('here', 'worker')")
          .update();
      h.sql
          .sql("update nodes set heartbeat_at = now() - interval '2 hours' where id = 'gone'")
          .update();

      EngineSettings settings = EngineHarness.builder().retention(Duration.ofDays(7)).build();
      Ticker ticker = Ticker.of(Clock.systemUTC());
      NodeContext node =
          new NodeContext(
              "retention",
              settings,
              new EngineMetrics(new SimpleMeterRegistry()),
              null,
              ticker,
              new DatabaseClock(ticker),
              EngineTracing.NONE);
      new Retention(
              node,
              new RunQueue(jdbc, settings.attemptMargin()),
              new EventStore(jdbc),
              new NodeStore(jdbc),
              () -> false)
          .purge();

      assertThat(count(h, "select count(*) from runs where status in ('SUCCEEDED', 'FAILED')"))
          .as("finished runs younger than the retention")
          .isEqualTo(4);
      assertThat(h.runs("RETRYING")).as("runs in progress, however old").isEqualTo(2);
      assertThat(count(h, "select count(*) from events")).isEqualTo(1);
      assertThat(h.sql.sql("select id from nodes").query(String.class).list())
          .isEqualTo(List.of("here"));
    }
  }

  private static void run(
      EngineHarness h, long job, String status, Duration age, int count, boolean finished) {
    h.sql
        .sql(
            """
            insert into runs (job_id, tenant_id, scheduled_for, trigger, status, attempts,
                              finished_at, next_attempt_at)
            select :job, :tenant, now() - make_interval(secs => :age) + i * interval '1 ms',
                   'SCHEDULE', :status, 1,
                   case when :finished then now() - make_interval(secs => :age) end,
                   case when :finished then null else now() end
            from generate_series(1, :count) i
            """)
        .param("job", job)
        .param("tenant", h.tenantId())
        .param("age", (double) age.toSeconds())
        .param("status", status)
        .param("finished", finished)
        .param("count", count)
        .update();
  }

  private static void event(EngineHarness h, long job, Duration age) {
    h.sql
        .sql(
            """
            insert into events (tenant_id, type, job_id, occurred_at, data, status)
            values (:tenant, 'run.failed', :job, now() - make_interval(secs => :age), '{}',
                    'DELIVERED')
            """)
        .param("tenant", h.tenantId())
        .param("job", job)
        .param("age", (double) age.toSeconds())
        .update();
  }

  private static long count(EngineHarness h, String sql) {
    return h.sql.sql(sql).query(Long.class).single();
  }
}
