package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoopTest {
  @Test
  void aFailingTurnBacksOffFrom50msDoublingTo5sAndAfterASuccessStartsOver() {
    FakeTicker ticker = new FakeTicker();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EngineMetrics metrics = new EngineMetrics(registry);
    // 9 failures, a success, 2 failures, then the loop is told to stop.
    boolean[] fails = {true, true, true, true, true, true, true, true, true, false, true, true};
    int[] turn = {0};
    Loop loop =
        new Loop(
            "test",
            () -> {
              if (fails[turn[0]++]) {
                throw new IllegalStateException("database down");
              }
            },
            () -> turn[0] < fails.length,
            metrics,
            ticker);
    loop.run();
    assertThat(ticker.sleeps)
        .containsExactly(50L, 100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 50L, 100L);
    assertThat(registry.get("punctual.loop.errors").tag("loop", "test").counter().count())
        .isEqualTo(11);
  }

  @Test
  void anInterruptedSleepEndsTheLoopOnlyWhenItWasToldToStop() {
    FakeTicker ticker = new FakeTicker();
    ticker.interruptEverySleep = true;
    int[] turns = {0};
    boolean[] running = {true};
    Loop loop =
        new Loop(
            "test",
            () -> {
              if (++turns[0] == 3) {
                running[0] = false;
              }
              throw new IllegalStateException("fails");
            },
            () -> running[0],
            new EngineMetrics(new SimpleMeterRegistry()),
            ticker);
    loop.run();
    assertThat(turns[0]).isEqualTo(3);
    assertThat(ticker.sleeps).hasSize(3);
  }

  /** Time that moves only when the engine sleeps. */
  static final class FakeTicker implements Ticker {
    final List<Long> sleeps = new ArrayList<>();
    long nanos = 1_000_000_000L;
    Instant wall = Instant.parse("2026-01-01T00:00:00Z");
    boolean interruptEverySleep;

    @Override
    public long nanoTime() {
      return nanos;
    }

    @Override
    public Instant wallTime() {
      return wall.plusNanos(nanos - 1_000_000_000L);
    }

    @Override
    public void sleep(long millis) throws InterruptedException {
      sleeps.add(millis);
      nanos += millis * 1_000_000;
      if (interruptEverySleep) {
        throw new InterruptedException();
      }
    }
  }
}
