package dev.punctual.engine;

import dev.punctual.config.NodeRole;
import dev.punctual.node.LiveNodes;
import dev.punctual.node.NodeStore;
import dev.punctual.queue.RunQueue;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A node's heartbeat, every {@code heartbeatInterval}: it tells the cluster this node is alive (and
 * with which roles), corrects the node's reading of the database clock, counts the live nodes that
 * per-tenant limits divide by, and samples the gauges only the database knows (broken jobs, runs
 * waiting). A node whose heartbeat stops is dead for the others after {@code deadNodeAfter}.
 */
final class Heartbeat {
  /** The runs-waiting gauge counts this many at most: its cost stays bounded in a backlog. */
  static final int RUNS_WAITING_CAP = 100_000;

  private final NodeContext node;
  private final NodeStore nodes;
  private final JobStore jobs;
  private final RunQueue runs;
  private final LiveNodes liveNodes;

  Heartbeat(NodeContext node, NodeStore nodes, JobStore jobs, RunQueue runs, LiveNodes liveNodes) {
    this.node = node;
    this.nodes = nodes;
    this.jobs = jobs;
    this.runs = runs;
    this.liveNodes = liveNodes;
  }

  /** One beat; the database-up gauge says whether it reached the database. */
  void beat() {
    EngineMetrics metrics = node.metrics();
    long sent = node.ticker().nanoTime();
    try {
      node.clock().observe(nodes.heartbeat(node.nodeId(), roles(node.settings().roles())), sent);
      NodeStore.Live live = nodes.liveNodes(node.settings().deadNodeAfter());
      metrics.liveNodes(live.all());
      liveNodes.update(live.api(), live.schedulers());
      // A count on a partial index of the broken rows: nothing to read when there are none.
      metrics.brokenJobs(jobs.countBroken());
      metrics.runsWaiting(runs.countWaiting(RUNS_WAITING_CAP));
      metrics.databaseUp(true);
    } catch (RuntimeException e) {
      metrics.databaseUp(false);
      throw e;
    }
  }

  /** Roles as the nodes table keeps them: lower case, comma-separated, in a fixed order. */
  static String roles(Set<NodeRole> roles) {
    return roles.stream().sorted().map(NodeRole::text).collect(Collectors.joining(","));
  }
}
