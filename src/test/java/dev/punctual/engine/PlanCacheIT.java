package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.db.DatabaseConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The pool's sessions never run a cached generic plan. The end-to-end benchmark met one: the
 * batched outcome write, planned generically while {@code runs} was empty, then scanned the table
 * once per outcome, took seconds, and runs were delivered again after their leases lapsed. The
 * control, a session without the pool's options, shows the same statement does end up generic, so
 * this test fails if the setting goes.
 */
class PlanCacheIT {

  @Test
  void theEnginesBatchedStatementsArePlannedForEachExecutionNeverGenerically() throws Exception {
    try (EngineHarness h = new EngineHarness()) {
      assertThat(genericPlansAfterTwentyOutcomeWrites(h, DatabaseConfig.ENGINE_SESSION_OPTIONS))
          .isZero();
      assertThat(genericPlansAfterTwentyOutcomeWrites(h, null)).isPositive();
    }
  }

  /** Twenty outcome writes on one connection, then its prepared statements' generic plan count. */
  private static long genericPlansAfterTwentyOutcomeWrites(EngineHarness h, String options) {
    try (HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 1, options)) {
      JdbcClient jdbc = JdbcClient.create(pool);
      RunStore runs = new RunStore(jdbc);
      List<RunStore.Outcome> outcomes = new ArrayList<>();
      for (long id = 1; id <= 50; id++) {
        outcomes.add(
            new RunStore.Outcome(
                id,
                1,
                dev.punctual.definition.RunStatus.SUCCEEDED,
                200,
                null,
                null,
                3,
                null,
                java.time.Instant.now(),
                false));
      }
      for (int i = 0; i < 20; i++) {
        runs.complete("node", outcomes);
      }
      return jdbc.sql("select coalesce(sum(generic_plans), 0) from pg_prepared_statements")
          .query(Long.class)
          .single();
    }
  }
}
