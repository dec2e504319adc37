package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.queue.RunQueue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FairQueueTest {
  private static RunQueue.OwnedRun run(long id, long tenant) {
    return new RunQueue.OwnedRun(
        id, id, tenant, "job", Instant.EPOCH, 1, null, null, List.of(), false, null, 0);
  }

  @Test
  void tenantsTakeTurnsWhateverTheirBacklog() throws Exception {
    FairQueue queue = new FairQueue(100);
    List<RunQueue.OwnedRun> runs = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      runs.add(run(i, 1)); // tenant 1's burst first
    }
    runs.add(run(5000, 2));
    runs.add(run(5001, 2));
    queue.addAll(runs);

    List<Long> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(queue.take(0, TimeUnit.MILLISECONDS).tenantId());
    }
    assertThat(order).containsExactly(1L, 2L, 1L, 2L);
    assertThat(queue.queued()).isEqualTo(998);
  }

  @Test
  void aTenantAtItsInFlightCapWaitsWhileOthersGoOn() throws Exception {
    FairQueue queue = new FairQueue(2);
    queue.addAll(List.of(run(1, 1), run(2, 1), run(3, 1), run(4, 2)));
    assertThat(queue.take(0, TimeUnit.MILLISECONDS).id()).isEqualTo(1);
    assertThat(queue.take(0, TimeUnit.MILLISECONDS).id()).isEqualTo(4);
    assertThat(queue.take(0, TimeUnit.MILLISECONDS).id()).isEqualTo(2);
    // Tenant 1 has two attempts in flight: its third run waits although it is next in line.
    assertThat(queue.take(10, TimeUnit.MILLISECONDS)).isNull();
    assertThat(queue.busy(3)).containsExactly(1L);
    queue.done(1);
    assertThat(queue.take(0, TimeUnit.MILLISECONDS).id()).isEqualTo(3);
    assertThat(queue.load(1)).isEqualTo(2);
  }

  @Test
  void clearDropsWaitingRunsButKeepsCountingAttemptsInFlight() throws Exception {
    FairQueue queue = new FairQueue(1);
    queue.addAll(List.of(run(1, 1), run(2, 1)));
    queue.take(0, TimeUnit.MILLISECONDS);
    queue.clear();
    assertThat(queue.queued()).isZero();
    assertThat(queue.load(1)).isEqualTo(1);
    queue.done(1);
    assertThat(queue.load(1)).isZero();
    assertThat(queue.take(0, TimeUnit.MILLISECONDS)).isNull();
  }
}
