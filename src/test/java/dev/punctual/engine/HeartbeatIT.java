package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.config.NodeRole;
import dev.punctual.node.LiveNodes;
import dev.punctual.node.NodeStore;
import dev.punctual.queue.RunQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * One heartbeat: the node is on record with its roles, the live nodes are counted by role, and the
 * node's reading of the database clock is corrected, even when its own clock is ten minutes fast.
 */
@Tag("own-database")
class HeartbeatIT {

  @Test
  void aBeatRecordsTheNodeCountsTheLiveOnesAndCorrectsAFastClock() throws Exception {
    try (EngineHarness h = new EngineHarness();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 2)) {
      JdbcClient jdbc = JdbcClient.create(pool);
      Ticker fast = Ticker.of(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
      DatabaseClock clock = new DatabaseClock(fast);
      LiveNodes live = new LiveNodes();

      beat(jdbc, "api-node", Set.of(NodeRole.API, NodeRole.SCHEDULER), fast, clock, live);
      SimpleMeterRegistry registry =
          beat(jdbc, "engine", Set.of(NodeRole.WORKER, NodeRole.SCHEDULER), fast, clock, live);

      assertThat(
              jdbc.sql("select roles from nodes where id = 'engine'").query(String.class).single())
          .isEqualTo("scheduler,worker");
      assertThat(live.api()).isEqualTo(1);
      assertThat(live.schedulers()).isEqualTo(2);
      assertThat(registry.get("punctual.nodes.live").gauge().value()).isEqualTo(2.0);
      assertThat(registry.get("punctual.database.up").gauge().value()).isEqualTo(1.0);
      Instant databaseNow = jdbc.sql("select now()").query(Instant.class).single();
      assertThat(Duration.between(databaseNow, clock.now()).abs())
          .as("the database clock as the node reads it")
          .isLessThan(Duration.ofSeconds(2));
    }
  }

  /** One beat of a node of its own metrics; returns them. */
  private static SimpleMeterRegistry beat(
      JdbcClient jdbc,
      String nodeId,
      Set<NodeRole> roles,
      Ticker ticker,
      DatabaseClock clock,
      LiveNodes live) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EngineSettings settings = EngineSettings.builder().roles(roles).build();
    NodeContext node =
        new NodeContext(
            nodeId, settings, new EngineMetrics(registry), null, ticker, clock, EngineTracing.NONE);
    new Heartbeat(
            node,
            new NodeStore(jdbc),
            new JobStore(jdbc, settings.attemptMargin()),
            new RunQueue(jdbc, settings.attemptMargin()),
            live)
        .beat();
    return registry;
  }
}
