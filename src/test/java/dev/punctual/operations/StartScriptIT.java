package dev.punctual.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Ports;
import dev.punctual.support.ServiceJar;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/punctual}, the start with class data sharing (docs/operations.md, "Starting faster"):
 * the first start prepares the archive and serves; the next start maps it, which {@code -Xshare:on}
 * proves (the JVM refuses to start when it cannot use the archive); the training run leaves no
 * PostgreSQL and no data dir behind.
 */
// Starts the jar on its own embedded database whatever DATABASE_URL says: .ci/run's server pass
// skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class StartScriptIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void theFirstStartPreparesTheArchiveAndTheNextOneMapsIt() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "start-script");
    Path cache = dir.resolve("cds");
    Path tmp = Files.createDirectories(dir.resolve("tmp"));

    Process first = start(dir, cache, tmp, "-Xmx384m", "first");
    try {
      awaitReady(dir.resolve("first.log"), first);
    } finally {
      stop(first);
    }
    Path archive;
    try (Stream<Path> files = Files.walk(cache)) {
      archive =
          files.filter(p -> p.getFileName().toString().equals("app.jsa")).findFirst().orElseThrow();
    }
    assertThat(Files.size(archive)).isGreaterThan(1_000_000);
    assertThat(Files.readString(dir.resolve("first.log"))).contains("preparing a faster start");
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left).as("the training's data dir is removed").isEmpty();
    }
    assertThat(
            ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains("punctual-cds-training")))
        .as("no PostgreSQL of the training left running")
        .isEmpty();

    Process second = start(dir, cache, tmp, "-Xmx384m -Xshare:on", "second");
    try {
      awaitReady(dir.resolve("second.log"), second);
    } finally {
      stop(second);
    }
    assertThat(Files.readString(dir.resolve("second.log")))
        .doesNotContain("preparing a faster start")
        .doesNotContain("Unable to use shared archive");
  }

  private static int port;

  private static Process start(Path dir, Path cache, Path tmp, String javaOpts, String name)
      throws IOException {
    port = Ports.free();
    ProcessBuilder builder =
        new ProcessBuilder("bin/punctual", ServiceJar.path().toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    Map<String, String> env = builder.environment();
    env.remove("DATABASE_URL");
    env.put("JAVA_OPTS", javaOpts);
    env.put("PUNCTUAL_CDS_DIR", cache.toString());
    env.put("TMPDIR", tmp.toString());
    env.put("PUNCTUAL_DATA_DIR", dir.resolve("data").toString());
    env.put("PUNCTUAL_ADMIN_KEY", "start-script-admin");
    env.put("PUNCTUAL_ENGINE_WARM_UP_REQUESTS", "500"); // both warm-ups run, a tenth as long
    env.put("SERVER_PORT", Integer.toString(port));
    return builder.start();
  }

  private static void awaitReady(Path log, Process node) {
    await("ready (" + log + ")")
        .atMost(Duration.ofSeconds(120))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              assertThat(node.isAlive()).as("running; see " + log).isTrue();
              try {
                return HTTP.send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        "http://127.0.0.1:" + port + "/actuator/health/readiness"))
                                .build(),
                            HttpResponse.BodyHandlers.discarding())
                        .statusCode()
                    == 200;
              } catch (IOException e) {
                return false;
              }
            });
  }

  private static void stop(Process node) throws InterruptedException {
    node.destroy(); // SIGTERM to the JVM itself: the script exec'd it
    if (!node.waitFor(60, TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
  }
}
