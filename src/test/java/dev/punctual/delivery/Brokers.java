package dev.punctual.delivery;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real brokers on loopback, restarted by the tests the way this machine starts them (`.ci/run`
 * starts any that is down before the tests).
 */
final class Brokers {
  static final String AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F";
  static final String REDIS_URL = "redis://127.0.0.1:6379/0";
  static final String NATS_URL = "nats://127.0.0.1:4222";

  private Brokers() {}

  /** A broker that can be stopped and started again. */
  record Broker(Runnable stop, Runnable start) {}

  static final Broker RABBITMQ = new Broker(Brokers::stopRabbitMq, Brokers::startRabbitMq);
  static final Broker REDIS = new Broker(Brokers::stopRedis, Brokers::startRedis);
  static final Broker NATS = new Broker(Brokers::stopNats, Brokers::startNats);

  /** RabbitMQ's application stopped (every connection cut, the port closed), its node kept. */
  static void stopRabbitMq() {
    run(List.of("rabbitmqctl", "-q", "stop_app"));
    awaitClosed(5672);
  }

  static void startRabbitMq() {
    run(List.of("rabbitmqctl", "-q", "start_app"));
    awaitPort(5672);
  }

  /**
   * Redis shut down. This machine's Redis keeps nothing on disk; the shutdown saves a snapshot for
   * the start to load (entries acknowledged before it must survive it, as they would on a server
   * with persistence), and the start removes it.
   */
  static void stopRedis() {
    run(List.of("redis-cli", "shutdown", "save"));
    awaitClosed(6379);
  }

  static void startRedis() {
    run(
        List.of(
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            "/var/lib/redis",
            "--logfile",
            "/var/log/redis/ci.log"));
    awaitPort(6379);
    try {
      Files.deleteIfExists(Path.of("/var/lib/redis/dump.rdb"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** nats-server stopped (SIGTERM); started again with JetStream on its store. */
  static void stopNats() {
    run(List.of("pkill", "-TERM", "-x", "nats-server"));
    awaitClosed(4222);
  }

  static void startNats() {
    run(
        List.of(
            "start-stop-daemon",
            "--start",
            "--oknodo",
            "--background",
            "--exec",
            "/usr/sbin/nats-server",
            "--",
            "-a",
            "127.0.0.1",
            "-p",
            "4222",
            "-js",
            "-sd",
            "/var/lib/nats-server",
            "-l",
            "/var/log/nats-server.log"));
    awaitPort(4222);
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(command + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void awaitPort(int port) {
    await("port " + port + " open")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> open(port));
  }

  private static void awaitClosed(int port) {
    await("port " + port + " closed")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !open(port));
  }

  private static boolean open(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
