package dev.punctual.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.delivery.AttemptResult;
import dev.punctual.delivery.Deliverer;
import dev.punctual.engine.Engine;
import dev.punctual.engine.EngineSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;

/**
 * Punctual's engine as the service runs it (same SQL, same settings), with a deliverer that records
 * the attempt and succeeds at once instead of calling HTTP: the engine alone, like the peers' no-op
 * tasks. The per-tenant caps are lifted (the bench is one tenant).
 */
final class PunctualSystem implements BenchSystem {
  private static final CompletableFuture<AttemptResult> DONE =
      CompletableFuture.completedFuture(
          new AttemptResult(AttemptResult.Outcome.SUCCESS, 200, null, null, 0, null));

  @Override
  public String name() {
    return "punctual";
  }

  @Override
  public void prepare(BenchDb db) {
    Flyway.configure()
        .dataSource(db.url, "postgres", "")
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  @Override
  public void seed(BenchDb db, int n, Instant start, double perSecond) throws Exception {
    db.execute("insert into tenants (name) values ('bench')");
    db.execute(
        """
        insert into jobs (tenant_id, name, schedule, target, retry, overlap, misfire, next_fire_at)
        select (select id from tenants where name = 'bench'), 'job-' || i,
               json_build_object('at', to_char(due at time zone 'UTC',
                                                'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
               '{"type":"http","method":"POST","url":"http://bench.invalid/","headers":{},
                 "body":null,"timeout":"PT10S"}',
               '{"maxAttempts":1,"initialBackoff":"PT1S","maxBackoff":"PT1S","multiplier":2.0}',
               'ALLOW', 'FIRE_ONCE', due
        from (select i, %s as due from generate_series(0, %d) i) s
        """
            .formatted(BenchSystem.dueAt(start, perSecond), n - 1));
    db.execute("analyze");
  }

  @Override
  public AutoCloseable start(BenchDb db, String instance, Recorder recorder, boolean lowLatency) {
    HikariDataSource pool = db.pool(instance, 10);
    Deliverer noop =
        attempt -> {
          recorder.record(Long.toString(attempt.jobId()), attempt.scheduledFor());
          return DONE;
        };
    EngineSettings settings =
        EngineSettings.builder()
            .roles(Set.of("scheduler", "worker"))
            .tenantFireRate(0)
            .tenantMaxInFlight(256)
            .build();
    Engine engine = new Engine(instance, settings, pool, noop, new SimpleMeterRegistry());
    engine.start();
    return () -> {
      engine.stop();
      pool.close();
    };
  }

  @Override
  public long remaining(BenchDb db) throws Exception {
    return db.count(
        """
        select (select count(*) from jobs where not completed)
             + (select count(*) from runs where status <> 'SUCCEEDED')
        """);
  }
}
