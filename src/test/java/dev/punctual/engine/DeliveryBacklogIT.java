package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Runs waiting in the table for a free delivery slot are claimed as soon as slots free up, not at
 * the next poll. Found by the end-to-end benchmark: with every slot busy, the run-claim loop slept
 * its poll interval while deliveries ended and slots stood empty (621 deliveries/s where the no-op
 * deliverer gave 3,500/s).
 */
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
      long deadline = started + Duration.ofSeconds(30).toNanos();
      long succeeded = 0;
      while (System.nanoTime() < deadline && succeeded < runs) {
        Thread.sleep(100);
        succeeded =
            h.sql
                .sql("select count(*) from runs where status = 'SUCCEEDED'")
                .query(Long.class)
                .single();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      long pending =
          h.sql
              .sql("select count(*) from runs where status = 'PENDING'")
              .query(Long.class)
              .single();
      System.out.printf(
          "backlog: %d of %d delivered in %d ms, %d pending%n",
          succeeded, runs, took.toMillis(), pending);
      assertThat(succeeded).isEqualTo(runs);
      assertThat(target.deliveries()).hasSize(runs);
    }
  }
}
