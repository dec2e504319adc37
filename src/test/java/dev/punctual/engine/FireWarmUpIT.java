package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The fire warm-up of a starting node (docs/engine.md, "A node's start"): a real engine fires and
 * delivers on a schema of its own, and the real tables are left as they were — a job due during the
 * warm-up is not fired by it — and no schema is left behind.
 */
// Runs on an embedded PostgreSQL of its own (EngineHarness) whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class FireWarmUpIT {

  @Test
  void aWarmUpFiresThroughAnEngineOnItsOwnSchemaAndLeavesTheRealTablesAlone() throws Exception {
    try (EngineHarness harness = new EngineHarness()) {
      // A real job due now: a warm-up engine that could see the real tables would fire it.
      long job = harness.insertEverySecond("real", Instant.now().minusSeconds(1), "http://x.test/");
      Map<String, Long> before = counts(harness.sql);
      String jobBefore = jobState(harness.sql, job);
      try (HikariDataSource engine = EngineHarness.pool(harness.postgres.getPort(), 4)) {
        FireWarmUp.Result result =
            FireWarmUp.run(engine, EngineHarness.settings(), 400, Duration.ofSeconds(30));
        assertThat(result.delivered()).isGreaterThanOrEqualTo(400);
      }
      assertThat(counts(harness.sql)).isEqualTo(before);
      assertThat(jobState(harness.sql, job)).isEqualTo(jobBefore);
      assertThat(warmUpSchemas(harness.sql)).isEmpty();
    }
  }

  @Test
  void aRoleThatMayNotCreateASchemaStartsColdInsteadOfFailing() throws Exception {
    try (EngineHarness harness = new EngineHarness()) {
      harness
          .sql
          .sql(
              """
              create role no_create login;
              grant usage on schema public to no_create;
              grant select, insert, update, delete on all tables in schema public to no_create
              """)
          .update();
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + harness.postgres.getPort() + "/postgres");
      config.setUsername("no_create");
      config.setMaximumPoolSize(2);
      try (HikariDataSource engine = new HikariDataSource(config)) {
        assertThat(FireWarmUp.atStart(engine, EngineHarness.settings())).isEmpty();
      }
      assertThat(warmUpSchemas(harness.sql)).isEmpty();
    }
  }

  @Test
  void schemasLeftByNodesThatDiedAreDroppedAndAStartingNodesIsKept() throws Exception {
    try (EngineHarness harness = new EngineHarness()) {
      Instant now = Instant.now();
      String dead = FireWarmUp.SCHEMA_PREFIX + now.minusSeconds(11 * 60).getEpochSecond() + "_0a1b";
      String starting = FireWarmUp.SCHEMA_PREFIX + now.minusSeconds(60).getEpochSecond() + "_0c1d";
      String notOurs = FireWarmUp.SCHEMA_PREFIX + "notes";
      for (String schema : List.of(dead, starting, notOurs)) {
        harness
            .sql
            .sql("create schema " + schema + "; create table " + schema + ".t (i int)")
            .update();
      }
      FireWarmUp.dropLeftovers(harness.sql, now);
      assertThat(warmUpSchemas(harness.sql)).containsExactlyInAnyOrder(starting, notOurs);
    }
  }

  private static Map<String, Long> counts(JdbcClient sql) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String table : FireWarmUp.TABLES) {
      counts.put(table, sql.sql("select count(*) from " + table).query(Long.class).single());
    }
    return counts;
  }

  private static String jobState(JdbcClient sql, long job) {
    return sql.sql(
            "select concat_ws('|', next_fire_at, lease_owner, lease_until, fencing_token,"
                + " scheduled_runs) from jobs where id = :id")
        .param("id", job)
        .query(String.class)
        .single();
  }

  private static List<String> warmUpSchemas(JdbcClient sql) {
    return sql.sql("select nspname from pg_namespace where starts_with(nspname, :prefix)")
        .param("prefix", FireWarmUp.SCHEMA_PREFIX)
        .query(String.class)
        .list();
  }
}
