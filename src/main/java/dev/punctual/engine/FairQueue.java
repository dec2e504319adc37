package dev.punctual.engine;

import dev.punctual.queue.RunQueue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The delivery stage's local queue: one lane per tenant, served in turn (round robin), with at most
 * {@code maxInFlightPerTenant} attempts of a tenant in progress. A tenant with ten thousand runs
 * waiting, or with a target that hangs until its timeout, takes its share of the attempts and no
 * more: another tenant's run waits for one turn, not for the whole backlog.
 */
final class FairQueue {
  private final int maxInFlightPerTenant;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition turnReady = lock.newCondition();
  private final Map<Long, Lane> lanes = new HashMap<>();
  // Lanes with a run waiting and room for another attempt, in the order they get their turn.
  private final ArrayDeque<Lane> turns = new ArrayDeque<>();
  private int queued;

  private static final class Lane {
    final ArrayDeque<RunQueue.OwnedRun> runs = new ArrayDeque<>();
    int inFlight;
    boolean inTurns;
  }

  FairQueue(int maxInFlightPerTenant) {
    this.maxInFlightPerTenant = maxInFlightPerTenant;
  }

  void addAll(Collection<RunQueue.OwnedRun> runs) {
    lock.lock();
    try {
      for (RunQueue.OwnedRun run : runs) {
        Lane lane = lanes.computeIfAbsent(run.tenantId(), t -> new Lane());
        lane.runs.add(run);
        queued++;
        offerTurn(lane);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next run to attempt, from the tenant whose turn it is, counted in flight for that tenant
   * until {@link #done}; null when none is ready within the timeout.
   */
  RunQueue.OwnedRun take(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (turns.isEmpty()) {
        if (nanos <= 0) {
          return null;
        }
        nanos = turnReady.awaitNanos(nanos);
      }
      Lane lane = turns.poll();
      lane.inTurns = false;
      RunQueue.OwnedRun run = lane.runs.poll();
      queued--;
      lane.inFlight++;
      offerTurn(lane); // back to the end of the line
      return run;
    } finally {
      lock.unlock();
    }
  }

  /** An attempt of the tenant's ended (or was never made). */
  void done(long tenantId) {
    lock.lock();
    try {
      Lane lane = lanes.get(tenantId);
      if (lane == null) {
        return;
      }
      lane.inFlight--;
      if (lane.runs.isEmpty() && lane.inFlight <= 0) {
        lanes.remove(tenantId);
      } else {
        offerTurn(lane);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Runs waiting for an attempt, all tenants together. */
  int queued() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  /** The tenant's runs held here: waiting plus in flight. */
  int load(long tenantId) {
    lock.lock();
    try {
      Lane lane = lanes.get(tenantId);
      return lane == null ? 0 : lane.runs.size() + lane.inFlight;
    } finally {
      lock.unlock();
    }
  }

  /** The tenants holding {@code limit} runs or more here. */
  List<Long> busy(int limit) {
    lock.lock();
    try {
      List<Long> out = new ArrayList<>();
      lanes.forEach(
          (tenant, lane) -> {
            if (lane.runs.size() + lane.inFlight >= limit) {
              out.add(tenant);
            }
          });
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Drops every waiting run (they stay owned in the table until handed back or taken over). */
  void clear() {
    lock.lock();
    try {
      lanes.values().forEach(lane -> lane.runs.clear());
      lanes.values().removeIf(lane -> lane.inFlight <= 0);
      lanes.values().forEach(lane -> lane.inTurns = false);
      turns.clear();
      queued = 0;
    } finally {
      lock.unlock();
    }
  }

  private void offerTurn(Lane lane) {
    if (!lane.inTurns && !lane.runs.isEmpty() && lane.inFlight < maxInFlightPerTenant) {
      lane.inTurns = true;
      turns.add(lane);
      turnReady.signal();
    }
  }
}
