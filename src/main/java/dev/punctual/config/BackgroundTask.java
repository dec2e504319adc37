package dev.punctual.config;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Housekeeping that runs on every node at a fixed delay, on a daemon thread of its own, from the
 * application's start to its stop (audit retention, the run counts of the overview). A turn that
 * throws does not stop the next ones: subclasses catch and log what they expect.
 */
public abstract class BackgroundTask implements SmartLifecycle {
  private final String threadName;
  private final Duration initialDelay;
  private final Duration interval;
  private ScheduledExecutorService executor;
  private volatile boolean running;

  protected BackgroundTask(String threadName, Duration initialDelay, Duration interval) {
    this.threadName = threadName;
    this.initialDelay = initialDelay;
    this.interval = interval;
  }

  /** One turn. */
  protected abstract void runOnce();

  /** False once stopping: a long turn checks it between its steps. */
  protected boolean running() {
    return running;
  }

  @Override
  public synchronized void start() {
    running = true;
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        this::turn, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void turn() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      // Never let one turn end the schedule (a scheduled executor drops a task that throws).
      LoggerFactory.getLogger(getClass()).debug("{}: {}", threadName, e.toString());
    }
  }

  @Override
  public synchronized void stop() {
    running = false;
    if (executor != null) {
      executor.shutdownNow();
      executor = null;
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
