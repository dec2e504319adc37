package dev.punctual.bench;

import dev.punctual.config.NodeRole;
import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.db.DatabaseConfig;
import dev.punctual.delivery.AmqpDelivery;
import dev.punctual.delivery.AttemptResult;
import dev.punctual.delivery.Deliverer;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.delivery.HttpDelivery;
import dev.punctual.delivery.NatsDelivery;
import dev.punctual.delivery.RedisDelivery;
import dev.punctual.engine.Engine;
import dev.punctual.engine.EngineSettings;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;

/**
 * Punctual's engine as the service runs it (same SQL, same settings). {@code punctual}: a deliverer
 * that records the attempt and succeeds at once instead of calling HTTP, the engine alone like the
 * peers' no-op tasks. {@code punctual-http}: the service's own {@link HttpDelivery} calling a
 * {@link BenchTarget} on loopback (end to end). {@code punctual-amqp}, {@code punctual-redis},
 * {@code punctual-nats}: the service's broker deliverers publishing to the brokers on loopback, an
 * execution counted when the broker confirmed the publication. The per-tenant caps are lifted (the
 * bench is one tenant).
 */
final class PunctualSystem implements BenchSystem {
  /** Where the bench's runs go. */
  enum Mode {
    NOOP,
    HTTP,
    AMQP,
    REDIS,
    NATS
  }

  static final String BROKER_DESTINATION = "punctual-bench";

  /** System property naming the target's URL, set by the coordinator for end-to-end runs. */
  static final String TARGET_URL = "bench.target.url";

  private static final CompletableFuture<AttemptResult> DONE =
      CompletableFuture.completedFuture(
          new AttemptResult(AttemptResult.Outcome.SUCCESS, 200, null, null, 0, null));

  private final Mode mode;
  private final boolean http;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  PunctualSystem(boolean http) {
    this(http ? Mode.HTTP : Mode.NOOP);
  }

  PunctualSystem(Mode mode) {
    this.mode = mode;
    this.http = mode == Mode.HTTP;
  }

  @Override
  public String name() {
    return mode == Mode.NOOP ? "punctual" : "punctual-" + mode.name().toLowerCase();
  }

  @Override
  public boolean deliversOverHttp() {
    return http;
  }

  String targetJson() {
    return switch (mode) {
      case NOOP, HTTP ->
          """
          {"type":"http","method":"POST","url":"%s","headers":{},"body":null,"timeout":"PT10S"}"""
              .formatted(System.getProperty(TARGET_URL, "http://bench.invalid/"));
      case AMQP ->
          """
          {"type":"amqp","url":"%s","exchange":"","routingKey":"%s","body":"{}","timeout":"PT10S"}"""
              .formatted(BenchBrokers.AMQP_URL, BROKER_DESTINATION);
      case REDIS ->
          """
          {"type":"redis","url":"%s","stream":"%s","maxLen":200000,"body":"{}","timeout":"PT10S"}"""
              .formatted(BenchBrokers.REDIS_URL, BROKER_DESTINATION);
      case NATS ->
          """
          {"type":"nats","url":"%s","subject":"%s","body":"{}","timeout":"PT10S"}"""
              .formatted(BenchBrokers.NATS_URL, BenchBrokers.NATS_SUBJECT);
    };
  }

  @Override
  public void prepare(BenchDb db) throws Exception {
    Flyway.configure()
        .dataSource(db.url, "postgres", "")
        .locations("classpath:db/migration")
        .load()
        .migrate();
    BenchBrokers.reset(mode, BROKER_DESTINATION);
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
               '%s',
               '{"maxAttempts":1,"initialBackoff":"PT1S","maxBackoff":"PT1S","multiplier":2.0}',
               'ALLOW', 'FIRE_ONCE', due
        from (select i, %s as due from generate_series(0, %d) i) s
        """
            .formatted(targetJson(), BenchSystem.dueAt(start, perSecond), n - 1));
    // Every job counting its failures in a row (auto-pause): the outcomes' three-statement path.
    String pauseAfter = System.getenv().getOrDefault("BENCH_PAUSE_AFTER_FAILURES", "").trim();
    if (!pauseAfter.isEmpty()) {
      db.execute("update jobs set pause_after_failures = " + Integer.parseInt(pauseAfter));
    }
    db.execute("analyze");
  }

  /**
   * The scale runs: {@code n} recurring jobs whose fires, all together, fall on a steady grid of
   * {@code perSecond} fires a second from {@code start} (job i every n / perSecond seconds from
   * start + i / perSecond), so that the fire rate is the same whatever n is.
   */
  void seedRecurring(BenchDb db, int n, Instant start, double perSecond) throws Exception {
    long periodMicros = Math.round(n / perSecond * 1_000_000);
    if (periodMicros < 1_000_000 || periodMicros % 1_000_000 != 0) {
      throw new IllegalArgumentException("n / rate must be whole seconds, at least 1");
    }
    db.execute("insert into tenants (name) values ('bench')");
    db.execute(
        """
        insert into jobs (tenant_id, name, schedule, target, retry, overlap, misfire, next_fire_at)
        select (select id from tenants where name = 'bench'), 'job-' || i,
               json_build_object('interval', 'PT%dS',
                                 'startAt', to_char(due at time zone 'UTC',
                                                    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
               '%s',
               '{"maxAttempts":1,"initialBackoff":"PT1S","maxBackoff":"PT1S","multiplier":2.0}',
               'ALLOW', 'FIRE_ONCE', due
        from (select i, %s as due from generate_series(0, %d) i) s
        """
            .formatted(
                periodMicros / 1_000_000,
                targetJson(),
                BenchSystem.dueAt(start, perSecond),
                n - 1));
    db.execute("vacuum analyze");
  }

  @Override
  public AutoCloseable start(BenchDb db, String instance, Recorder recorder, boolean lowLatency) {
    // The service's own session settings (DatabaseConfig), as a node would have them.
    HikariDataSource pool = db.pool(instance, 10, DatabaseConfig.ENGINE_SESSION_OPTIONS);
    EgressGuard guard = EgressGuard.of("127.0.0.0/8", "");
    Deliverer deliverer =
        switch (mode) {
          case HTTP -> new HttpDelivery(256, "bench", guard);
          case NOOP ->
              attempt -> {
                recorder.record(
                    attempt.jobId() + "@" + attempt.scheduledFor(), attempt.scheduledFor());
                return DONE;
              };
          case AMQP -> confirmed(new AmqpDelivery(guard), recorder);
          case REDIS -> confirmed(new RedisDelivery(guard), recorder);
          case NATS -> confirmed(new NatsDelivery(guard), recorder);
        };
    EngineSettings settings =
        EngineSettings.builder()
            .roles(Set.of(NodeRole.SCHEDULER, NodeRole.WORKER))
            .tenantFireRate(0)
            .tenantMaxInFlight(256)
            .build();
    Engine engine = Engine.builder(instance, settings, pool, deliverer).registry(registry).build();
    engine.start();
    return () -> {
      engine.stop();
      if (deliverer instanceof AutoCloseable closeable) {
        closeable.close();
      }
      pool.close();
    };
  }

  /** A broker deliverer whose confirmed publications are recorded as executions. */
  private static Deliverer confirmed(Deliverer broker, Recorder recorder) {
    return new ClosingDeliverer(broker) {
      @Override
      public CompletableFuture<AttemptResult> send(dev.punctual.delivery.Attempt attempt) {
        return broker
            .send(attempt)
            .thenApply(
                result -> {
                  if (result.succeeded()) {
                    recorder.record(
                        attempt.jobId() + "@" + attempt.scheduledFor(), attempt.scheduledFor());
                  }
                  return result;
                });
      }
    };
  }

  /** A deliverer that closes the one it wraps. */
  private abstract static class ClosingDeliverer implements Deliverer, AutoCloseable {
    private final Deliverer inner;

    ClosingDeliverer(Deliverer inner) {
      this.inner = inner;
    }

    @Override
    public void close() throws Exception {
      if (inner instanceof AutoCloseable closeable) {
        closeable.close();
      }
    }
  }

  /** The job claims' statement time (mean, max) and the heap in use after a full GC. */
  @Override
  public String stats() {
    Timer claims = registry.find("punctual.claim.duration").tag("what", "jobs").timer();
    var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    long committed = memory.getHeapMemoryUsage().getCommitted();
    System.gc();
    long live = memory.getHeapMemoryUsage().getUsed();
    return String.format(
        java.util.Locale.ROOT,
        "claims=%d claim_mean_ms=%.2f claim_max_ms=%.2f heap_live_mb=%.0f heap_committed_mb=%.0f",
        claims == null ? 0 : claims.count(),
        claims == null ? 0 : claims.mean(TimeUnit.MILLISECONDS),
        claims == null ? 0 : claims.max(TimeUnit.MILLISECONDS),
        live / 1048576.0,
        committed / 1048576.0);
  }

  @Override
  public long remaining(BenchDb db) throws Exception {
    return db.count(
        """
        select (select count(*) from jobs where not completed)
             + (select count(*) from runs where status in ('PENDING', 'RUNNING', 'RETRYING'))
        """);
  }
}
