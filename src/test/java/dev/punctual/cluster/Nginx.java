package dev.punctual.cluster;

import dev.punctual.support.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * nginx from the machine's packages, running the configuration we recommend ({@code
 * deploy/nginx/punctual.conf}) with the cluster's ports put in place of the example ones. A node is
 * drained the way docs/operations.md says: marked {@code down}, then {@code nginx -s reload}.
 */
final class Nginx implements AutoCloseable {
  static final Path RECOMMENDED = Path.of("deploy/nginx/punctual.conf");
  private static final Pattern UPSTREAM = Pattern.compile("server 127\\.0\\.0\\.1:808(\\d)(.*);");

  final int port;
  private final Path dir;
  private final List<Integer> nodePorts;
  private final Set<Integer> drained = new HashSet<>();
  private final Process process;

  Nginx(Path dir, List<Integer> nodePorts) throws IOException, InterruptedException {
    this.dir = dir;
    this.nodePorts = nodePorts;
    this.port = Ports.free();
    for (String temp : List.of("body", "proxy", "fastcgi", "uwsgi", "scgi")) {
      Files.createDirectories(dir.resolve("tmp").resolve(temp));
    }
    Files.writeString(
        dir.resolve("nginx.conf"),
        """
        %s
        worker_processes 1;
        pid %s/nginx.pid;
        error_log %s/error.log warn;
        events { worker_connections 2048; }
        http {
            access_log %s/access.log;
            client_body_temp_path %s/tmp/body;
            proxy_temp_path %s/tmp/proxy;
            fastcgi_temp_path %s/tmp/fastcgi;
            uwsgi_temp_path %s/tmp/uwsgi;
            scgi_temp_path %s/tmp/scgi;
            include %s/punctual.conf;
        }
        """
            .formatted(isRoot() ? "user root;" : "", dir, dir, dir, dir, dir, dir, dir, dir, dir));
    writeUpstreams();
    process =
        nginx("-g", "daemon off;")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    // Started when it accepts connections on its port; exited means it refused the config.
    Awaitility.await("nginx accepts")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !process.isAlive() || accepts(port));
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "nginx did not start: " + Files.readString(dir.resolve("nginx.out")));
    }
  }

  private static boolean accepts(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Takes the node out of the pool: requests in progress finish, new ones go elsewhere. */
  void drain(int nodePort) throws IOException, InterruptedException {
    drained.add(nodePort);
    writeUpstreams();
    reload();
  }

  void restore(int nodePort) throws IOException, InterruptedException {
    drained.remove(nodePort);
    writeUpstreams();
    reload();
  }

  private void writeUpstreams() throws IOException {
    String recommended = Files.readString(RECOMMENDED);
    Matcher m = UPSTREAM.matcher(recommended);
    StringBuilder out = new StringBuilder();
    List<Integer> seen = new ArrayList<>();
    while (m.find()) {
      int node = nodePorts.get(Integer.parseInt(m.group(1)) - 1);
      seen.add(node);
      String line =
          "server 127.0.0.1:" + node + m.group(2) + (drained.contains(node) ? " down" : "");
      m.appendReplacement(out, Matcher.quoteReplacement(line + ";"));
    }
    m.appendTail(out);
    if (seen.size() != nodePorts.size()) {
      throw new IllegalStateException(RECOMMENDED + " must list one upstream server per node");
    }
    String conf = out.toString().replace("listen 8080;", "listen 127.0.0.1:" + port + ";");
    Files.writeString(dir.resolve("punctual.conf"), conf);
  }

  /**
   * Reloads the configuration and waits until it is the only one in force: the workers of the
   * previous configuration have exited (each one finishes the requests it has in progress and
   * closes its idle connections first), and a new worker runs.
   */
  private void reload() throws IOException, InterruptedException {
    List<Long> before = workers();
    Process reload = nginx("-s", "reload").redirectErrorStream(true).start();
    if (!reload.waitFor(10, TimeUnit.SECONDS) || reload.exitValue() != 0) {
      throw new IllegalStateException(
          "nginx -s reload failed: " + new String(reload.getInputStream().readAllBytes()));
    }
    Awaitility.await("the workers of the previous configuration exit")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              List<Long> now = workers();
              return !now.isEmpty() && now.stream().noneMatch(before::contains);
            });
  }

  /** The pids of the master's worker processes. */
  private List<Long> workers() {
    return process.children().map(ProcessHandle::pid).toList();
  }

  /** nginx on this instance's prefix and configuration, with {@code args}. */
  private ProcessBuilder nginx(String... args) {
    List<String> command = new ArrayList<>(List.of("nginx", "-p", dir.toString(), "-c"));
    command.add(dir.resolve("nginx.conf").toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(dir.resolve("nginx.pid"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
