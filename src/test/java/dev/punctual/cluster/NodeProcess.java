package dev.punctual.cluster;

import dev.punctual.support.ServiceJar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** One Punctual node as its own JVM process, started from the service's jar like in production. */
final class NodeProcess {
  final String name;
  final int port;
  private final Path jar;
  private final Path dir;
  private final Map<String, String> env;
  private Process process;
  private int starts;

  NodeProcess(String name, int port, Path jar, Path dir, Map<String, String> env) {
    this.name = name;
    this.port = port;
    this.jar = jar;
    this.dir = dir;
    this.env = env;
  }

  /** Starts the process (again, after a stop or a kill) and waits until it is ready. */
  NodeProcess start() {
    try {
      Files.createDirectories(dir);
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> command =
          new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString()));
      ProcessBuilder builder = new ProcessBuilder(command);
      // Both warm-ups run, at a tenth of the default: the scenarios are about failures, not a
      // start's first minute, and 5,000 fires at every node start cost the suite 2 minutes.
      builder.environment().put("PUNCTUAL_ENGINE_WARM_UP_REQUESTS", "500");
      builder.environment().putAll(env);
      builder.environment().put("SERVER_PORT", Integer.toString(port));
      builder.environment().put("PUNCTUAL_DATA_DIR", dir.toString());
      builder.redirectErrorStream(true);
      builder.redirectOutput(
          ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + (++starts) + ".log").toFile()));
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitReady(Duration.ofSeconds(90));
    return this;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** {@code kill -9}: no shutdown hook, no hand-back, nothing. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** {@code SIGTERM}, the graceful stop, and waits for the process to end. */
  Duration terminate() throws InterruptedException {
    long started = System.nanoTime();
    process.destroy();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " did not stop within 90 s of SIGTERM");
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
    }
  }

  boolean ready() {
    return ServiceJar.ready("http://127.0.0.1:" + port);
  }

  void awaitReady(Duration timeout) {
    try {
      Awaitility.await("the node ready")
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      name + " exited during start; see its log in " + dir);
                }
                return ready();
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(name + " not ready within " + timeout + "; log in " + dir);
    }
  }
}
