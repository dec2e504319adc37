package dev.punctual.engine;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Every thread of one engine: one executor, so that stopping the engine can wait for each loop to
 * end, and no loop outlives it. Threads are named {@code punctual-<loop>} for thread dumps and
 * profiles.
 */
final class EngineThreads {
  private static final Logger log = LoggerFactory.getLogger(EngineThreads.class);
  private final String nodeId;
  private final AtomicInteger created = new AtomicInteger();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "punctual-engine-" + created.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  /**
   * @param nodeId the engine's node, on every log line of its threads ({@code node.id})
   */
  EngineThreads(String nodeId) {
    this.nodeId = nodeId;
  }

  /** Runs {@code loop} on a thread of its own, named after it while it runs. */
  Future<?> start(String name, Runnable loop) {
    return executor.submit(
        () -> {
          Thread.currentThread().setName("punctual-" + name);
          MDC.put("node.id", nodeId);
          try {
            loop.run();
          } finally {
            MDC.remove("node.id");
          }
        });
  }

  /**
   * Waits for loops told to stop to finish the turn they are in (a claim or a fire transaction that
   * commits after a hand-back would leave leases behind), at most {@code limit} in all.
   */
  static void awaitEnd(Duration limit, Future<?>... loops) {
    long deadline = System.nanoTime() + limit.toNanos();
    for (Future<?> loop : loops) {
      if (loop == null) {
        continue;
      }
      try {
        loop.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (TimeoutException e) {
        log.warn("A loop is still busy after {}; going on without it", limit);
      } catch (ExecutionException | CancellationException e) {
        log.warn("A loop ended with an error", e);
      }
    }
  }

  /** Interrupts every thread at once without waiting (a kill, in tests). */
  void kill() {
    executor.shutdownNow();
  }

  /**
   * Ends every thread: loops were told to stop; those asleep (heartbeat, retention) are interrupted
   * so they need not finish their sleep. Waits up to {@code limit}.
   */
  void shutdown(Duration limit) {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Engine threads still running {} after the stop", limit);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
