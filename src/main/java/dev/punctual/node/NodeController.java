package dev.punctual.node;

import dev.punctual.identity.Caller;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/nodes} (admin key): the nodes that heartbeat, with their roles, and whether
 * each is alive by the same rule the engine uses to take work over ({@code deadNodeAfter}).
 */
@RestController
class NodeController {
  record NodeView(
      String id, List<String> roles, Instant startedAt, Instant heartbeatAt, boolean alive) {}

  private final NodeStore nodes;
  private final Duration deadAfter;

  NodeController(JdbcClient jdbc, NodeSettings settings) {
    this.nodes = new NodeStore(jdbc);
    this.deadAfter = settings.deadAfter();
  }

  @GetMapping("/api/v1/nodes")
  Map<String, Object> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    caller.requireAdmin();
    // The database's clock judges the heartbeats it wrote, as the engine's takeover does.
    Instant now = nodes.databaseNow();
    List<NodeView> items =
        nodes.list().stream()
            .map(
                n ->
                    new NodeView(
                        n.id(),
                        n.roles(),
                        n.startedAt(),
                        n.heartbeatAt(),
                        n.heartbeatAt().isAfter(now.minus(deadAfter))))
            .toList();
    return Map.of("items", items, "at", now);
  }
}
