package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.delivery.DeliveryWarmUp;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.support.Node;
import java.net.InetAddress;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The delivery warm-up of a starting node (docs/engine.md, "A node's start"): a worker node has
 * delivered its warm-up requests to its own sink by the time its engine runs, without opening its
 * egress guard; a node that does not deliver runs none.
 */
class WarmUpOnStartIT {

  @Test
  void aWorkerNodeWarmsItsDeliveryPathBeforeItsEngineStarts() throws Exception {
    try (Node node = Node.start(settings("api,scheduler,worker", "700"))) {
      // Node.start returns once the context has started, the engine's lifecycle included.
      DeliveryWarmUp.Result result = node.bean(WarmUpOnStart.Running.class).result().orElseThrow();
      assertThat(result.delivered()).isEqualTo(700);
      assertThat(result.failed()).isZero();
      // Its sink was on loopback; the node's own guard still denies loopback targets.
      assertThat(node.bean(EgressGuard.class).denial(InetAddress.getLoopbackAddress())).isPresent();
    }
  }

  @Test
  void aNodeThatDoesNotDeliverRunsNoWarmUp() throws Exception {
    try (Node node = Node.start(settings("api,scheduler", "700"))) {
      assertThat(node.bean(WarmUpOnStart.Running.class).result()).isEmpty();
    }
  }

  private static Map<String, String> settings(String roles, String requests) throws Exception {
    return Map.of(
        "punctual.database-url",
        "",
        "punctual.admin-key",
        "warm-up-admin",
        "punctual.data-dir",
        Files.createTempDirectory("punctual-warm-up").toString(),
        "punctual.roles",
        roles,
        "punctual.engine.warm-up-requests",
        requests);
  }
}
