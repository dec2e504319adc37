package dev.punctual.engine;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.config.NodeRole;
import dev.punctual.db.DatabaseConfig;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.delivery.HttpDelivery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A database of its own (embedded PostgreSQL, migrated by Flyway) and any number of engines on it,
 * each with its own pool, like separate nodes. Jobs are inserted in the stored form the Jobs API
 * writes. The database can be reached through a {@link dev.punctual.support.TcpProxy} to cut it
 * away under the engines.
 */
final class EngineHarness implements AutoCloseable {
  final EmbeddedPostgres postgres;
  final JdbcClient sql;
  private final HikariDataSource admin;
  private final List<Engine> engines = new ArrayList<>();
  private final List<HikariDataSource> pools = new ArrayList<>();
  private final long tenantId;

  EngineHarness() throws IOException {
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(Files.createTempDirectory("punctual-engine"))
            .setServerConfig("max_connections", "300")
            .start();
    admin = pool(postgres.getPort(), 5);
    Flyway.configure().dataSource(admin).locations("classpath:db/migration").load().migrate();
    sql = JdbcClient.create(admin);
    tenantId =
        sql.sql("insert into tenants (name) values ('engine-test') returning id")
            .query(Long.class)
            .single();
  }

  static HikariDataSource pool(int port, int size) {
    return pool(port, size, DatabaseConfig.ENGINE_SESSION_OPTIONS);
  }

  /** A pool whose sessions start with {@code options} (null: PostgreSQL's defaults). */
  static HikariDataSource pool(int port, int size, String options) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
    config.setUsername("postgres");
    config.setMaximumPoolSize(size);
    config.setConnectionTimeout(2000);
    config.setInitializationFailTimeout(-1);
    if (options != null) {
      config.addDataSourceProperty("options", options);
    }
    return new HikariDataSource(config);
  }

  /** Settings for tests: the defaults of the service, with a few overrides. */
  static EngineSettings settings() {
    return builder().build();
  }

  /** The service's defaults for a node that fires and delivers (no API here). */
  static EngineSettings.Builder builder() {
    return EngineSettings.builder().roles(Set.of(NodeRole.SCHEDULER, NodeRole.WORKER));
  }

  /** Starts an engine named {@code name} on its own pool to {@code port}. */
  Engine start(String name, EngineSettings settings, int port) {
    HikariDataSource pool = pool(port, 10);
    pools.add(pool);
    Engine engine =
        Engine.builder(name, settings, pool, http()).registry(new SimpleMeterRegistry()).build();
    engines.add(engine);
    engine.start();
    return engine;
  }

  Engine start(String name, EngineSettings settings) {
    return start(name, settings, postgres.getPort());
  }

  /** What an engine loop's thread passes before each connection it takes (see {@link #gated}). */
  @FunctionalInterface
  interface Gate {
    void enter() throws SQLException;
  }

  /**
   * {@code pool}, except that the engine loop {@code loop} (its thread is {@code punctual-<loop>})
   * passes {@code gate} before each connection it takes: to hold that loop, or to fail it as an
   * unreachable database would, while the engine's other loops go on.
   */
  static DataSource gated(DataSource pool, String loop, Gate gate) {
    String thread = "punctual-" + loop;
    return new DelegatingDataSource(pool) {
      @Override
      public Connection getConnection() throws SQLException {
        if (Thread.currentThread().getName().equals(thread)) {
          gate.enter();
        }
        return super.getConnection();
      }
    };
  }

  /** Waits for {@code latch} in a {@link Gate}; an interrupt ends the wait. */
  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static HttpDelivery http() {
    return new HttpDelivery(256, "test", EgressGuard.of("127.0.0.0/8", ""));
  }

  /** How many runs are in {@code status} now. */
  long runs(String status) {
    return sql.sql("select count(*) from runs where status = :status")
        .param("status", status)
        .query(Long.class)
        .single();
  }

  DataSource dataSource() {
    return admin;
  }

  long tenantId() {
    return tenantId;
  }

  /** A further tenant; returns its id. */
  long newTenant(String name) {
    return sql.sql("insert into tenants (name) values (:name) returning id")
        .param("name", name)
        .query(Long.class)
        .single();
  }

  /** Inserts a job in the Jobs API's stored form; returns its id. */
  long insertJob(
      String name,
      String scheduleJson,
      Instant nextFireAt,
      String url,
      String overlap,
      String misfire,
      int maxAttempts) {
    return insertJob(tenantId, name, scheduleJson, nextFireAt, url, overlap, misfire, maxAttempts);
  }

  /** Inserts {@code count} one-shot jobs of {@code tenant}, all due at {@code at}, in one go. */
  void insertOneShots(long tenant, String prefix, int count, Instant at, String url) {
    sql.sql(
            """
            insert into jobs (tenant_id, name, schedule, target, retry, overlap, misfire,
                              next_fire_at)
            select :tenant, :prefix || i, json_build_object('at', :at),
                   json_build_object('type', 'http', 'method', 'POST', 'url', :url,
                                     'headers', '{}'::json, 'body', null, 'timeout', 'PT10S'),
                   '{"maxAttempts":1,"initialBackoff":"PT1S","maxBackoff":"PT1S","multiplier":2.0}',
                   'ALLOW', 'FIRE_ONCE', :at::timestamptz
            from generate_series(1, :count) i
            """)
        .param("tenant", tenant)
        .param("prefix", prefix)
        .param("at", at.toString())
        .param("url", url)
        .param("count", count)
        .update();
  }

  long insertJob(
      long tenant,
      String name,
      String scheduleJson,
      Instant nextFireAt,
      String url,
      String overlap,
      String misfire,
      int maxAttempts) {
    String target =
        "{\"type\":\"http\",\"method\":\"POST\",\"url\":\"%s\",\"headers\":{},\"body\":null,\"timeout\":\"PT10S\"}"
            .formatted(url);
    String retry =
        "{\"maxAttempts\":%d,\"initialBackoff\":\"PT0.2S\",\"maxBackoff\":\"PT1S\",\"multiplier\":2.0}"
            .formatted(maxAttempts);
    return sql.sql(
            """
            insert into jobs (tenant_id, name, schedule, target, retry, overlap, misfire,
                              next_fire_at)
            values (:tenant, :name, :schedule::json, :target::json, :retry::json, :overlap,
                    :misfire, :next::timestamptz)
            returning id
            """)
        .param("tenant", tenant)
        .param("name", name)
        .param("schedule", scheduleJson)
        .param("target", target)
        .param("retry", retry)
        .param("overlap", overlap)
        .param("misfire", misfire)
        .param("next", nextFireAt.toString())
        .query(Long.class)
        .single();
  }

  /** A job firing every second from {@code first}, overlap ALLOW, misfire FIRE_ONCE, 3 attempts. */
  long insertEverySecond(String name, Instant first, String url) {
    return insertJob(
        name,
        "{\"interval\":\"PT1S\",\"startAt\":\"" + first + "\"}",
        first,
        url,
        "ALLOW",
        "FIRE_ONCE",
        3);
  }

  /** One row per run: job, scheduled time, trigger, status, attempts, created_at. */
  record RunRow(
      long id,
      long jobId,
      Instant scheduledFor,
      String trigger,
      String status,
      int attempts,
      Instant createdAt) {}

  List<RunRow> runs() {
    return sql.sql(
            """
            select id, job_id, scheduled_for, trigger, status, attempts, created_at
            from runs order by job_id, scheduled_for
            """)
        .query(
            (rs, n) ->
                new RunRow(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getTimestamp(3).toInstant(),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getInt(6),
                    rs.getTimestamp(7).toInstant()))
        .list();
  }

  Map<String, Object> counts() {
    return sql.sql(
            """
            select count(*) as runs, count(distinct (job_id, scheduled_for)) as distinct_fires,
                   count(*) filter (where status = 'SUCCEEDED') as succeeded
            from runs
            """)
        .query()
        .singleRow();
  }

  /** Waits until every job has at least {@code times} runs. */
  void awaitEveryJobFiredTimes(int times) {
    Awaitility.await("every job fired " + times + " times")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                sql.sql(
                            """
                        select count(*) from jobs j
                        where (select count(*) from runs r where r.job_id = j.id) < :times
                        """)
                        .param("times", times)
                        .query(Long.class)
                        .single()
                    == 0);
  }

  /**
   * Waits until every job whose name is {@code like} the pattern has a run scheduled after {@code
   * instant}: the engine fires them again (after a fault, or for a few more fire times).
   */
  void awaitEveryJobFiredAfter(String like, Instant instant, Duration atMost) {
    Awaitility.await("every job like '" + like + "' has a run after " + instant)
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                sql.sql(
                            """
                        select count(*) from jobs j where j.name like :like and not exists (
                          select 1 from runs r where r.job_id = j.id and r.scheduled_for > :t)
                        """)
                        .param("like", like)
                        .param("t", Timestamp.from(instant))
                        .query(Long.class)
                        .single()
                    == 0);
  }

  /** Waits until every run created before {@code instant} has succeeded. */
  void awaitRunsCreatedBeforeSucceeded(Instant instant) {
    Awaitility.await("every run created before " + instant + " succeeded")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                sql.sql("select count(*) from runs where created_at < :t and status <> 'SUCCEEDED'")
                        .param("t", Timestamp.from(instant))
                        .query(Long.class)
                        .single()
                    == 0);
  }

  void stopAll() {
    engines.forEach(Engine::stop);
  }

  @Override
  public void close() throws IOException {
    engines.forEach(Engine::kill);
    pools.forEach(HikariDataSource::close);
    admin.close();
    postgres.close();
  }
}
