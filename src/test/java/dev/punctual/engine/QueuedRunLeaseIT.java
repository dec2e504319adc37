package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
      // Attempts of at most 2 s; with a margin of 1 s, a run is leased for 3 s.
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
      // One attempt of the tenant at a time, four runs held: the fourth waits 4.5 s for its turn.
      EngineSettings firing =
          EngineHarness.builder().tenantMaxInFlight(1).attemptMargin(Duration.ofSeconds(1)).build();
      EngineSettings other =
          EngineHarness.builder()
              .roles(Set.of("worker"))
              .tenantMaxInFlight(1)
              .attemptMargin(Duration.ofSeconds(1))
              .build();
      h.start("firing", firing);
      h.start("other", other);

      // Until every run succeeded, or a run was sent twice.
      await()
          .atMost(Duration.ofSeconds(40))
          .until(() -> succeeded(h) == count || target.deliveries().size() > count);
      h.stopAll(); // waits for the attempts still in progress: a late second send is counted

      Map<String, Long> sendsPerRun =
          target.deliveries().stream()
              .collect(Collectors.groupingBy(TargetServer.Delivery::runId, Collectors.counting()));
      assertThat(sendsPerRun).hasSize(count);
      assertThat(sendsPerRun).allSatisfy((run, sends) -> assertThat(sends).isEqualTo(1L));
      // A run's attempts may pass 2: each claim that takes over a run still waiting in the other
      // node's queue counts an attempt, made or not; what must hold is one send per run.
      assertThat(succeeded(h)).isEqualTo(count);
    }
  }

  private static long succeeded(EngineHarness h) {
    return h.sql
        .sql("select count(*) from runs where status = 'SUCCEEDED'")
        .query(Long.class)
        .single();
  }
}
