package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs waiting in the table for a free delivery slot are claimed as soon as slots free up, not at
 * the next poll. Found by the end-to-end benchmark: with every slot busy, the run-claim loop slept
 * its poll interval while deliveries ended and slots stood empty (621 deliveries/s where the no-op
 * deliverer gave 3,500/s).
 */
// Runs on an embedded PostgreSQL of its own (EngineHarness) whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class DeliveryBacklogIT {

  @Test
  void runsBeyondTheSlotsAreClaimedAsSlotsFreeUpNotAtTheNextPoll() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      int runs = 400;
      h.insertOneShots(h.tenantId(), "burst-", runs, Instant.now(), target.url("/sleep/50"));
      // 8 slots, each delivery 50 ms: 400 runs need about 2.5 s. A poll interval of 10 s makes a
      // claim loop that waits for the poll take minutes: 8 fast-path runs per fire batch at most
      // 32, the rest PENDING, claimed 8 at a time.
      EngineSettings settings =
          EngineHarness.builder()
              .maxInFlight(8)
              .tenantMaxInFlight(8)
              .pollInterval(Duration.ofSeconds(10))
              .build();
      long started = System.nanoTime();
      h.start("backlog", settings);
      try {
        await("the backlog delivered")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> h.runs("SUCCEEDED") >= runs);
      } catch (ConditionTimeoutException e) {
        // The assertion below says how many; the figures line says where the rest are.
      }
      long succeeded = h.runs("SUCCEEDED");
      System.out.printf(
          "backlog: %d of %d delivered in %d ms, %d pending%n",
          succeeded,
          runs,
          Duration.ofNanos(System.nanoTime() - started).toMillis(),
          h.runs("PENDING"));
      assertThat(succeeded).isEqualTo(runs);
      assertThat(target.deliveries()).hasSize(runs);
    }
  }
}
