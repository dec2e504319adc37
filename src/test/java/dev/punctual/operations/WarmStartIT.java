package dev.punctual.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Ports;
import dev.punctual.support.ServiceJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The jar as users start it: a worker node is ready, and its engine started, only once its delivery
 * warm-up and then its fire warm-up have ended (docs/engine.md, "A node's start"); a warm-up longer
 * than its limit stops at the limit instead of holding the start.
 */
// Starts the jar on its own embedded database whatever DATABASE_URL says: .ci/run's server pass
// skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class WarmStartIT {
  private static final Pattern WARMED =
      Pattern.compile(
          "Delivery path warmed up: (\\d+) requests to a loopback sink in (\\d+) ms"
              + " \\((\\d+) failed\\)");

  private static final Pattern FIRED =
      Pattern.compile(
          "Fire path warmed up: (\\d+) runs fired and delivered to a loopback sink in"
              + " (\\d+) ms");
  private static final Pattern NODE_ENGINE_STARTED =
      Pattern.compile("Engine \\d+@\\S+ started with roles");

  @Test
  void theNodeIsReadyOnlyAfterItsWarmUpsWhichStopAtTheirLimits() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "warm-start");
    Path log = dir.resolve("console.log");
    int port = Ports.free();
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(java, "-Xmx384m", "-jar", ServiceJar.path().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("SERVER_PORT", Integer.toString(port));
    builder.environment().put("PUNCTUAL_DATA_DIR", dir.resolve("data").toString());
    // More than any machine delivers within the limits (15 s, then 10 s): each warm-up ends at its
    // limit, certainly after the rest of the start, so a node that did not wait for them would be
    // ready before their lines.
    builder.environment().put("PUNCTUAL_ENGINE_WARM_UP_REQUESTS", "1000000");
    builder.environment().remove("DATABASE_URL");
    Process node = builder.start();
    try {
      await("the node is ready")
          .atMost(Duration.ofSeconds(90))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(100))
          .failFast("the node exited", () -> !node.isAlive())
          .until(() -> ServiceJar.ready("http://127.0.0.1:" + port));
      String console = Files.readString(log);
      Matcher warmed = WARMED.matcher(console);
      assertThat(warmed.find()).as("the warm-up's line, in:%n%s", console).isTrue();
      assertThat(Integer.parseInt(warmed.group(1))).isBetween(1, 999_999);
      assertThat(Long.parseLong(warmed.group(2))).isBetween(14_000L, 30_000L);
      assertThat(warmed.group(3)).isEqualTo("0");
      // Then the fire warm-up (its count is not reached either: it ends at its 10 s limit),
      // whose engine is not the node's: the node's engine (named pid@host-…) starts after it.
      Matcher fired = FIRED.matcher(console);
      assertThat(fired.find()).as("the fire warm-up's line, in:%n%s", console).isTrue();
      assertThat(Integer.parseInt(fired.group(1))).isBetween(1, 999_999);
      assertThat(Long.parseLong(fired.group(2))).isBetween(9_000L, 30_000L);
      Matcher engine = NODE_ENGINE_STARTED.matcher(console);
      assertThat(engine.find()).as("the node's engine's start, in:%n%s", console).isTrue();
      assertThat(warmed.start()).isLessThan(fired.start());
      assertThat(fired.start()).isLessThan(engine.start());
    } finally {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }
}
