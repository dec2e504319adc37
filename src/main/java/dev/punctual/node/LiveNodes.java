package dev.punctual.node;

/**
 * How many nodes are alive, by role, as of this node's last heartbeat: what the per-tenant limits
 * divide by, so that the configured request rate and fire budget hold for the whole cluster rather
 * than once per node. One until the first heartbeat; a node that cannot reach the database keeps
 * the last count (it serves and fires nothing meanwhile anyway).
 */
public final class LiveNodes {
  private volatile int api = 1;
  private volatile int schedulers = 1;

  /** Live nodes serving the API (at least one: this one, if it asks). */
  public int api() {
    return api;
  }

  /** Live nodes firing schedules. */
  public int schedulers() {
    return schedulers;
  }

  /** Called by the engine's heartbeat with the counts it read. */
  public void update(int apiNodes, int schedulerNodes) {
    api = Math.max(1, apiNodes);
    schedulers = Math.max(1, schedulerNodes);
  }
}
