package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The job quota's count (migrations V9 and V14) on a database of its own, with sessions set as the
 * API's pool sets them: one tenant's creates on different sessions do not wait for each other's
 * commit, and racing creates still stop exactly at the quota.
 */
// Runs on an embedded PostgreSQL of its own whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class JobQuotaCountIT {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(Files.createTempDirectory("punctual-quota"))
            .setServerConfig("max_connections", "100")
            .start();
    Flyway.configure()
        .dataSource(postgres.getPostgresDatabase())
        .locations("classpath:db/migration")
        .load()
        .migrate();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  /** A session as the API's pool opens it, with the given quota (0: none). */
  private static Connection session(long quota) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    properties.setProperty("options", "-c punctual.max_jobs_per_tenant=" + quota);
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres", properties);
  }

  private static long newTenant(String name) throws SQLException {
    try (Connection c = session(0);
        PreparedStatement insert =
            c.prepareStatement("insert into tenants (name) values (?) returning id")) {
      insert.setString(1, name);
      try (ResultSet rs = insert.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Inserts a job as the API does (its own transaction unless the session is in one). */
  private static void create(Connection c, long tenant, String name) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            """
            insert into jobs (tenant_id, name, schedule, target, retry, overlap, misfire)
            values (?, ?, '{"cron":"0 9 * * *","timezone":"UTC"}',
                    '{"type":"http","method":"POST","url":"https://example.com/hook"}',
                    '{"maxAttempts":1}', 'ALLOW', 'FIRE_ONCE')
            """)) {
      insert.setLong(1, tenant);
      insert.setString(2, name);
      insert.executeUpdate();
    }
  }

  private static int shard(Connection c) throws SQLException {
    return query(c, "select job_count_shard()");
  }

  private static int query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int counted(long tenant) throws SQLException {
    try (Connection c = session(0)) {
      return query(c, "select tenant_job_count(" + tenant + ")::int");
    }
  }

  private static int jobs(long tenant) throws SQLException {
    try (Connection c = session(0)) {
      return query(c, "select count(*)::int from jobs where tenant_id = " + tenant);
    }
  }

  @Test
  void createsOfOneTenantOnOtherSessionsDoNotWaitForACommitInFlight() throws Exception {
    long tenant = newTenant("no-wait");
    try (Connection first = session(100_000)) {
      first.setAutoCommit(false);
      create(first, tenant, "first");
      // Runs the deferred count now: the session holds its count row as during its commit's flush.
      first.createStatement().execute("set constraints all immediate");

      List<Connection> opened = new ArrayList<>();
      try {
        Connection other = null;
        while (other == null) { // a session on another shard than the first's
          Connection c = session(100_000);
          opened.add(c);
          if (shard(c) != shard(first)) {
            other = c;
          }
        }
        other.createStatement().execute("set lock_timeout = '5s'");
        // Before V14 this waited for the first create's commit (the tenant's one count row) and
        // failed on the lock timeout.
        create(other, tenant, "second");
        assertThat(counted(tenant)).isEqualTo(1);
      } finally {
        for (Connection c : opened) {
          c.close();
        }
      }
      first.commit();
    }
    assertThat(counted(tenant)).isEqualTo(2);
    assertThat(jobs(tenant)).isEqualTo(2);
  }

  @Test
  void racingCreatesStopExactlyAtTheQuota() throws Exception {
    int quota = 40;
    int sessions = 24;
    int perSession = 5;
    ExecutorService pool = Executors.newFixedThreadPool(sessions);
    try {
      for (int round = 0; round < 3; round++) {
        long tenant = newTenant("race-" + round);
        CyclicBarrier together = new CyclicBarrier(sessions);
        AtomicInteger refused = new AtomicInteger();
        List<Future<Integer>> created = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
          int session = s;
          created.add(
              pool.submit(
                  () -> {
                    int ok = 0;
                    try (Connection c = session(quota)) {
                      together.await(10, TimeUnit.SECONDS);
                      for (int i = 0; i < perSession; i++) {
                        try {
                          create(c, tenant, "job-" + session + "-" + i);
                          ok++;
                        } catch (SQLException e) {
                          assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("PJ001");
                          refused.incrementAndGet();
                        }
                      }
                    }
                    return ok;
                  }));
        }
        int ok = 0;
        for (Future<Integer> f : created) {
          ok += f.get(60, TimeUnit.SECONDS);
        }
        assertThat(ok).as("round %d", round).isEqualTo(quota);
        assertThat(refused.get()).isEqualTo(sessions * perSession - quota);
        assertThat(jobs(tenant)).isEqualTo(quota);
        assertThat(counted(tenant)).isEqualTo(quota);
        try (Connection c = session(0)) {
          // The creates were spread over shards (the fast path), not all counted on one row.
          assertThat(
                  query(
                      c,
                      "select count(*)::int from tenant_job_count_shards where job_count > 0"
                          + " and tenant_id = "
                          + tenant))
              .isGreaterThan(1);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theCountOfThePreviousVersionStillCountsAndItsDeletesStillSubtract() throws Exception {
    long tenant = newTenant("upgraded");
    // Five jobs counted before V14, on the tenant's one row (a session without the setting does
    // not count, as tools inserting rows do not).
    try (Connection plain =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                "postgres",
                null);
        Statement s = plain.createStatement()) {
      for (int i = 0; i < 5; i++) {
        create(plain, tenant, "before-" + i);
      }
      s.execute("insert into tenant_job_counts (tenant_id, job_count) values (" + tenant + ", 5)");
    }
    try (Connection c = session(8)) {
      for (int i = 0; i < 3; i++) {
        create(c, tenant, "after-" + i);
      }
      assertThatThrownBy(() -> create(c, tenant, "ninth"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("PJ001"));
      // A node of the previous version, during a rolling upgrade, deletes a job its way.
      try (Statement s = c.createStatement()) {
        s.execute("delete from jobs where name = 'before-0' and tenant_id = " + tenant);
        s.execute(
            "update tenant_job_counts set job_count = job_count - 1 where tenant_id = " + tenant);
      }
      assertThat(counted(tenant)).isEqualTo(7);
      create(c, tenant, "in-its-place");
      assertThatThrownBy(() -> create(c, tenant, "ninth"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("PJ001"));
    }
    assertThat(jobs(tenant)).isEqualTo(8);
    assertThat(counted(tenant)).isEqualTo(8);
  }

  @Test
  void nearTheQuotaACreateWaitsForTheOneInFlightAndCountsIt() throws Exception {
    int quota = 12;
    long tenant = newTenant("near");
    try (Connection c = session(quota)) {
      for (int i = 0; i < 10; i++) {
        create(c, tenant, "job-" + i);
      }
    }
    try (Connection inFlight = session(quota);
        Connection waiting = session(quota);
        Connection last = session(quota)) {
      inFlight.setAutoCommit(false);
      create(inFlight, tenant, "in-flight");
      inFlight.createStatement().execute("set constraints all immediate");
      int waitingPid = query(waiting, "select pg_backend_pid()");

      CompletableFuture<Void> second =
          CompletableFuture.runAsync(
              () -> {
                try {
                  create(waiting, tenant, "waiting");
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      try (Connection observer = session(0)) {
        await("the job count settled")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    query(
                            observer,
                            "select count(*)::int from pg_stat_activity where wait_event_type ="
                                + " 'Lock' and pid = "
                                + waitingPid)
                        == 1);
      }
      assertThat(second).isNotDone();
      inFlight.commit();
      second.get(10, TimeUnit.SECONDS); // the 12th job: in

      assertThatThrownBy(() -> create(last, tenant, "one-too-many"))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("PJ001"));
    }
    assertThat(jobs(tenant)).isEqualTo(quota);
    assertThat(counted(tenant)).isEqualTo(quota);
  }
}
