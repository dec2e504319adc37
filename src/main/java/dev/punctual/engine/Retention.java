package dev.punctual.engine;

import dev.punctual.node.NodeStore;
import dev.punctual.queue.RunQueue;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Run history's retention, once a minute on every node: finished runs and notification events past
 * {@code retention} are deleted, events undelivered for a day fail, nodes long dead are forgotten.
 * Deletes go in small batches with a pause between them, so the hot path's locks and I/O stay free;
 * any node may run it at the same time as others (a row is deleted once).
 */
final class Retention {
  static final int BATCH = 1000;
  private static final long PAUSE_MILLIS = 20;

  private final NodeContext node;
  private final RunQueue runs;
  private final EventStore events;
  private final NodeStore nodes;
  private final BooleanSupplier stopping;

  Retention(
      NodeContext node,
      RunQueue runs,
      EventStore events,
      NodeStore nodes,
      BooleanSupplier stopping) {
    this.node = node;
    this.runs = runs;
    this.events = events;
    this.nodes = nodes;
    this.stopping = stopping;
  }

  /** One pass over everything retention keeps short. */
  void purge() throws InterruptedException {
    purgeRuns();
    purgeEvents();
    nodes.forgetLongDead();
  }

  /** Deletes finished runs past the retention age; returns how many. */
  int purgeRuns() throws InterruptedException {
    Duration age = node.settings().retention();
    int total = 0;
    int deleted;
    do {
      deleted = runs.deleteFinishedBefore(age, BATCH);
      node.metrics().runsDeleted(deleted);
      total += deleted;
      node.ticker().sleep(PAUSE_MILLIS);
    } while (deleted == BATCH && !stopping.getAsBoolean());
    return total;
  }

  /** Events undelivered for a day fail; events past the retention age are deleted. */
  private void purgeEvents() throws InterruptedException {
    events.expire(NotificationStage.MAX_AGE);
    int deleted;
    do {
      deleted = events.deleteOlderThan(node.settings().retention(), BATCH);
      node.ticker().sleep(PAUSE_MILLIS);
    } while (deleted == BATCH && !stopping.getAsBoolean());
  }
}
