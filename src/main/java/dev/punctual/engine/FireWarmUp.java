package dev.punctual.engine;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.config.ClockConfig;
import dev.punctual.config.Version;
import dev.punctual.db.SqlArrays;
import dev.punctual.definition.DefinitionCodec;
import dev.punctual.definition.RetryPolicy;
import dev.punctual.delivery.WarmUpSink;
import dev.punctual.schedule.IntervalSchedule;
import dev.punctual.schedule.Schedule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Runs the engine's whole path — claims, fires, runs recorded, deliveries, outcomes written —
 * before a node takes its first real fires, so that they are not handled by a JVM still compiling
 * that path.
 *
 * <p>Why: with the delivery path warmed ({@code DeliveryWarmUp}), what is left cold at a start is
 * the engine's database path, compiled at the first fires (docs/engine.md, "A node's start").
 *
 * <p>What: a schema of its own ({@code punctual_warm_up_<epoch second>_<random>}) holding empty
 * copies of the tables the engine uses ({@code create table … (like …)}: columns, defaults,
 * identities, checks and indexes; no foreign key, no trigger), {@code jobs} interval jobs of one
 * second whose first fires are spread over a second, and a real {@link Engine} on a small pool
 * whose sessions see only that schema ({@code search_path}). Its deliveries go to a {@link
 * WarmUpSink}. It runs until the sink has answered {@code fires} requests or {@code limit} has
 * passed, then the engine stops and the schema is dropped.
 *
 * <p>Why a schema and not the real tables in a transaction rolled back: the engine's statements run
 * in many transactions on several threads and connections, as they do for real fires; and a session
 * whose {@code search_path} names only the warm-up's schema cannot read or write a real job, run or
 * node whatever the warm-up does (an unqualified table not copied there is an error, not a write
 * elsewhere). A node that dies during its warm-up leaves its schema behind; the next warm-up on the
 * database drops schemas older than {@link #LEFTOVER_AGE}.
 */
final class FireWarmUp {
  private static final Logger log = LoggerFactory.getLogger(FireWarmUp.class);

  static final String SCHEMA_PREFIX = "punctual_warm_up_";

  /** The service's clock: names the schema, ages leftovers, spreads the first fires. */
  private static final Clock CLOCK = ClockConfig.SYSTEM;

  /** The tables the engine's statements name. */
  static final List<String> TABLES =
      List.of("tenants", "signing_secrets", "jobs", "runs", "run_attempts", "nodes", "events");

  /** A warm-up schema this old is a dead node's leftover (a warm-up lasts seconds). */
  static final Duration LEFTOVER_AGE = Duration.ofMinutes(10);

  private static final Pattern SCHEMA_NAME =
      Pattern.compile(Pattern.quote(SCHEMA_PREFIX) + "(\\d+)_[0-9a-f]+");
  private static final int POOL_SIZE = 6;

  /** Past this the warm-up stops where it is: a slow machine must not hold the start for long. */
  static final Duration LIMIT = Duration.ofSeconds(10);

  /** What a fire warm-up did: requests the sink answered, and how long it took in all. */
  record Result(long delivered, Duration took) {}

  private FireWarmUp() {}

  /**
   * Fires about {@code fires} runs through an engine with {@code node}'s settings on a schema of
   * its own in {@code database}'s database, stopping at {@code limit}.
   */
  static Result run(HikariDataSource database, EngineSettings node, int fires, Duration limit)
      throws Exception {
    long started = System.nanoTime();
    JdbcClient jdbc = JdbcClient.create(database);
    dropLeftovers(jdbc, CLOCK.instant());
    String schema =
        SCHEMA_PREFIX
            + CLOCK.instant().getEpochSecond()
            + "_"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    // At most one job per 2 fires (each fires every second): a run of a few seconds.
    int jobs = Math.max(1, Math.min(fires / 2, 2_500));
    try (WarmUpSink sink = WarmUpSink.start(node.maxInFlight(), Version.current())) {
      createSchema(jdbc, schema);
      try (HikariDataSource pool = pool(database, schema)) {
        seed(JdbcClient.create(pool), sink, jobs);
        Engine engine =
            Engine.builder(
                    "warm-up-" + schema.substring(SCHEMA_PREFIX.length()),
                    node.forWarmUp(),
                    pool,
                    sink.deliverer())
                .registry(new SimpleMeterRegistry())
                .build();
        engine.start();
        try {
          sink.awaitReceived(fires, limit.minusNanos(System.nanoTime() - started));
        } finally {
          engine.stop();
        }
      }
      return new Result(sink.received(), Duration.ofNanos(System.nanoTime() - started));
    } finally {
      jdbc.sql("drop schema if exists " + schema + " cascade").update();
    }
  }

  /**
   * The warm-up of a node's start, run by the engine's lifecycle before the engine's own start:
   * none when the node neither schedules nor delivers or its warm-up count is 0; a warm-up that
   * fails (a database role without {@code CREATE} on the database, say) is logged and the node
   * starts cold.
   */
  static Optional<Result> atStart(DataSource database, EngineSettings node) {
    if (node.warmUpRequests() == 0 || !(node.schedules() || node.delivers())) {
      return Optional.empty();
    }
    if (!(database instanceof HikariDataSource hikari)) {
      log.info("No fire warm-up: the engine's pool is not one it can copy");
      return Optional.empty();
    }
    try {
      Result r = run(hikari, node, node.warmUpRequests(), LIMIT);
      log.info(
          "Fire path warmed up: {} runs fired and delivered to a loopback sink in {} ms, on a"
              + " schema of its own (dropped)",
          r.delivered(),
          r.took().toMillis());
      return Optional.of(r);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // A role that may not create a schema in the database, most likely.
      log.warn(
          "Fire warm-up failed, the engine starts cold (its first seconds of fires are slower):"
              + " {}. It needs CREATE on the database; PUNCTUAL_ENGINE_WARM_UP_REQUESTS=0 turns"
              + " the warm-ups off",
          e.toString());
    }
    return Optional.empty();
  }

  private static void createSchema(JdbcClient jdbc, String schema) {
    // The tables of the schema the service's sessions use (Flyway's, usually public).
    String from = jdbc.sql("select current_schema()").query(String.class).single();
    StringBuilder ddl = new StringBuilder("create schema " + schema + ";\n");
    for (String table : TABLES) {
      ddl.append(
          "create table %s.%s (like %s.%s including defaults including identity including constraints including indexes);\n"
              .formatted(schema, table, from, table));
    }
    jdbc.sql(ddl.toString()).update();
  }

  /** One tenant with a signing secret, and interval jobs whose first fires span one second. */
  private static void seed(JdbcClient jdbc, WarmUpSink sink, int jobs) {
    long tenant =
        jdbc.sql("insert into tenants (name) values ('warm-up') returning id")
            .query(Long.class)
            .single();
    jdbc.sql("insert into signing_secrets (tenant_id, secret) values (:tenant, :secret)")
        .param("tenant", tenant)
        .param("secret", sink.sealedSigningSecret())
        .update();
    // The first fires after the pool and the engine are up (a few hundred milliseconds).
    Instant first = CLOCK.instant().plusMillis(500).truncatedTo(ChronoUnit.MILLIS);
    List<Integer> index = new ArrayList<>(jobs);
    for (int i = 0; i < jobs; i++) {
      index.add(i);
    }
    List<Instant> starts = index.stream().map(i -> first.plusMillis(i * 1000L / jobs)).toList();
    jdbc.sql(
            """
            insert into jobs (tenant_id, name, schedule, target, retry, attempt_timeout_ms,
                              overlap, misfire, next_fire_at)
            select :tenant, 'warm-up-' || s.i, s.schedule::json, :target::json, :retry::json,
                   :timeoutMs, 'ALLOW', 'FIRE_ONCE', s.first_fire
            from unnest(:index::int[], :schedules::text[], :firsts::text[]::timestamptz[])
                   as s(i, schedule, first_fire)
            """)
        .param("tenant", tenant)
        .param("target", DefinitionCodec.encode(sink.target()).toString())
        .param("retry", DefinitionCodec.encode(RetryPolicy.DEFAULT).toString())
        .param("timeoutMs", sink.target().timeout().toMillis())
        .param("index", SqlArrays.ints(index, i -> i))
        .param(
            "schedules",
            SqlArrays.texts(
                starts,
                s ->
                    DefinitionCodec.encode(
                            new IntervalSchedule(Duration.ofSeconds(1), s, Schedule.Bounds.NONE))
                        .toString()))
        .param("firsts", SqlArrays.instants(starts, s -> s))
        .update();
  }

  /**
   * A small pool on the same database with the engine pool's settings, whose sessions see only
   * {@code schema}: the warm-up's engine cannot name a real table.
   */
  private static HikariDataSource pool(HikariDataSource database, String schema) {
    HikariConfig config = new HikariConfig();
    database.copyStateTo(config);
    config.setPoolName("punctual-warm-up");
    config.setMaximumPoolSize(POOL_SIZE);
    config.setMinimumIdle(1);
    config.setSchema(schema);
    // Its connections are no concern of the node's metrics.
    // (In this order: each setter refuses to run while the other is set.)
    config.setMetricsTrackerFactory(null);
    config.setMetricRegistry(null);
    config.setHealthCheckRegistry(null);
    return new HikariDataSource(config);
  }

  /** Drops the warm-up schemas older than {@link #LEFTOVER_AGE}: those of nodes that died. */
  static void dropLeftovers(JdbcClient jdbc, Instant now) {
    List<String> schemas =
        jdbc.sql("select nspname from pg_namespace where starts_with(nspname, :prefix)")
            .param("prefix", SCHEMA_PREFIX)
            .query(String.class)
            .list();
    for (String schema : schemas) {
      Matcher m = SCHEMA_NAME.matcher(schema);
      if (m.matches()
          && Instant.ofEpochSecond(Long.parseLong(m.group(1))).isBefore(now.minus(LEFTOVER_AGE))) {
        log.info("Dropping {}, left by a node that died during its warm-up", schema);
        jdbc.sql("drop schema if exists " + schema + " cascade").update();
      }
    }
  }
}
