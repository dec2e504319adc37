package dev.punctual.engine;

import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A background loop that cannot die: each turn runs in a try, an error is counted, logged and
 * followed by a growing pause (up to 5 s), and the loop goes on until told to stop. A database
 * outage pauses the engine this way, and it resumes by itself.
 */
final class Loop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Loop.class);
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  /** One turn of the loop; may block (waiting for work is part of a turn). */
  interface Turn {
    void run() throws Exception;
  }

  private final String name;
  private final Turn turn;
  private final BooleanSupplier running;
  private final EngineMetrics metrics;

  Loop(String name, Turn turn, BooleanSupplier running, EngineMetrics metrics) {
    this.name = name;
    this.turn = turn;
    this.running = running;
    this.metrics = metrics;
  }

  Thread start(String threadName) {
    Thread thread = new Thread(this, threadName);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /**
   * Waits for loops told to stop to finish the turn they are in (a claim or a fire transaction that
   * commits after a hand-back would leave leases behind), at most {@code limit} in all.
   */
  static void awaitEnd(java.time.Duration limit, Thread... threads) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (Thread thread : threads) {
      if (thread == null) {
        continue;
      }
      try {
        thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (thread.isAlive()) {
        log.warn("{} still busy after {}; going on without it", thread.getName(), limit);
      }
    }
  }

  @Override
  public void run() {
    long backoff = 0;
    while (running.getAsBoolean()) {
      try {
        turn.run();
        if (backoff > 0) {
          log.info("{} loop recovered", name);
        }
        backoff = 0;
      } catch (InterruptedException e) {
        if (!running.getAsBoolean()) {
          return;
        }
      } catch (Throwable e) {
        metrics.loopError(name);
        backoff = backoff == 0 ? 50 : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        if (backoff < MAX_BACKOFF_MILLIS) {
          log.warn("{} loop failed, retrying in {} ms: {}", name, backoff, e.toString());
        } else {
          log.debug("{} loop still failing: {}", name, e.toString());
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException interrupted) {
          if (!running.getAsBoolean()) {
            return;
          }
        }
      }
    }
  }
}
