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
  private final Ticker ticker;

  Loop(String name, Turn turn, BooleanSupplier running, EngineMetrics metrics, Ticker ticker) {
    this.name = name;
    this.turn = turn;
    this.running = running;
    this.metrics = metrics;
    this.ticker = ticker;
  }

  /** The pause after {@code previous} (0: none yet) when a turn fails: 50 ms doubling to 5 s. */
  static long nextBackoff(long previous) {
    return previous == 0 ? 50 : Math.min(previous * 2, MAX_BACKOFF_MILLIS);
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
        backoff = nextBackoff(backoff);
        if (backoff < MAX_BACKOFF_MILLIS) {
          log.warn("{} loop failed, retrying in {} ms: {}", name, backoff, e.toString());
        } else {
          log.debug("{} loop still failing: {}", name, e.toString());
        }
        try {
          ticker.sleep(backoff);
        } catch (InterruptedException interrupted) {
          if (!running.getAsBoolean()) {
            return;
          }
        }
      }
    }
  }
}
