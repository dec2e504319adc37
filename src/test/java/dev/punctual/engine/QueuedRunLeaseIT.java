package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.config.NodeRole;
import dev.punctual.support.TargetServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A run fired on a node waits in that node's queue while the node's slots for its tenant are busy,
 * and its lease, set at the fire, does not count the wait. Behind a slow target the lease can run
 * out before the run's turn, and another claim (another node's, or this node's own) then takes the
 * run as its next attempt: the node must not send the attempt it still holds as well.
 */
// Runs on an embedded PostgreSQL of its own (EngineHarness) whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class QueuedRunLeaseIT {
  @Test
  void aRunWhoseLeaseRanOutWhileItWaitedIsSentOnceWhoeverSendsIt() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      int count = 8;
      h.insertOneShots(
          h.tenantId(), "queued-", count, Instant.now().plusSeconds(1), target.url("/sleep/1500"));
      shortTimeouts(h);
      // One attempt of the tenant at a time, four runs held: the fourth waits 4.5 s for its turn.
      h.start("firing", oneAtATime().build());
      h.start("other", oneAtATime().roles(Set.of(NodeRole.WORKER)).build());

      // Until every run succeeded, or a run was sent twice.
      await("every run SUCCEEDED or sent twice")
          .atMost(Duration.ofSeconds(40))
          .until(() -> h.runs("SUCCEEDED") == count || target.deliveries().size() > count);
      h.stopAll(); // waits for the attempts still in progress: a late second send is counted

      assertEachRunSentOnce(target, count);
      // A run's attempts may pass 2: each claim that takes over a run still waiting in the other
      // node's queue counts an attempt, made or not; what must hold is one send per run.
      assertThat(h.runs("SUCCEEDED")).isEqualTo(count);
    }
  }

  /**
   * When the lease cannot be renewed (the database does not answer the dispatcher), the node does
   * not send the attempt on a lease that may have lapsed: the run waits for its lease to run out
   * and is taken over, and is still sent once.
   */
  @Test
  void aRunWhoseLeaseCannotBeRenewedIsNotSentByTheNodeHoldingIt() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10)) {
      int count = 6;
      h.insertOneShots(
          h.tenantId(),
          "unrenewed-",
          count,
          Instant.now().plusSeconds(1),
          target.url("/sleep/1500"));
      shortTimeouts(h);
      AtomicInteger refused = new AtomicInteger();
      // The dispatcher's only statement is the renewal: it fails, the rest of the engine works.
      DataSource renewalFails =
          EngineHarness.gated(
              pool,
              "dispatch",
              () -> {
                refused.incrementAndGet();
                throw new SQLException("the database did not answer");
              });
      Engine firing =
          Engine.builder("firing", oneAtATime().build(), renewalFails, EngineHarness.http())
              .registry(new SimpleMeterRegistry())
              .build();
      try {
        firing.start();
        h.start("other", oneAtATime().roles(Set.of(NodeRole.WORKER)).build());
        await("every run SUCCEEDED or sent twice")
            .atMost(Duration.ofSeconds(40))
            .until(() -> h.runs("SUCCEEDED") == count || target.deliveries().size() > count);
        firing.stop();
        h.stopAll();
      } finally {
        firing.kill();
      }
      assertThat(refused.get()).as("renewals tried and failed").isPositive();
      assertEachRunSentOnce(target, count);
      assertThat(h.runs("SUCCEEDED")).isEqualTo(count);
    }
  }

  /** One attempt of the tenant at a time per node, and a lease margin of 1 s. */
  private static EngineSettings.Builder oneAtATime() {
    return EngineHarness.builder().tenantMaxInFlight(1).attemptMargin(Duration.ofSeconds(1));
  }

  private static void assertEachRunSentOnce(TargetServer target, int count) {
    Map<String, Long> sendsPerRun =
        target.deliveries().stream()
            .collect(Collectors.groupingBy(TargetServer.Delivery::runId, Collectors.counting()));
    assertThat(sendsPerRun).hasSize(count);
    assertThat(sendsPerRun).allSatisfy((run, sends) -> assertThat(sends).isEqualTo(1L));
  }

  /** Attempts of at most 2 s; with a margin of 1 s, a run is leased for 3 s. */
  private static void shortTimeouts(EngineHarness h) {
    h.sql
        .sql(
            """
            update jobs
            set target = json_build_object('type', 'http', 'method', 'POST',
                                           'url', target->>'url', 'headers', '{}'::json,
                                           'body', null, 'timeout', 'PT2S'),
                attempt_timeout_ms = 2000
            """)
        .update();
  }
}
