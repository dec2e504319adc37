package dev.punctual.cluster;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.Ports;
import dev.punctual.support.ServiceJar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Three Punctual nodes (separate JVMs, the service's jar) on one PostgreSQL server, behind nginx
 * with the recommended configuration, calling a recording target. Everything a test does goes
 * through nginx and the public API; the processes are there to be killed, frozen and restarted.
 */
final class Cluster implements AutoCloseable {
  static final String ADMIN_KEY = "cluster-admin-" + UUID.randomUUID();
  static final int NODES = 3;

  final Path dir;
  final ClusterDatabase database;
  final RecordingTarget target;
  final List<NodeProcess> nodes = new ArrayList<>();
  Nginx nginx;

  /** Starts everything; what started is stopped again if the rest fails to start. */
  static Cluster start(Path dir) throws Exception {
    Cluster cluster = new Cluster(dir);
    try {
      cluster.startAll();
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  private Cluster(Path dir) {
    this.dir = dir;
    database = new ClusterDatabase(dir.resolve("pg"));
    target = new RecordingTarget();
  }

  private void startAll() throws Exception {
    Map<String, String> env =
        Map.of(
            "DATABASE_URL",
            database.url(),
            "PUNCTUAL_ADMIN_KEY",
            ADMIN_KEY,
            // Nodes sharing a database share the key that seals its secrets.
            "PUNCTUAL_SECRET_KEY",
            ApiTestBase.SECRET_KEY,
            // The target listens on loopback, which the egress guard denies by default.
            "PUNCTUAL_EGRESS_ALLOW",
            "127.0.0.0/8",
            // The harness lists thousands of runs at the end of each scenario.
            "PUNCTUAL_RATE_LIMIT",
            "2000");
    Path jar = ServiceJar.path();
    List<Integer> ports = new ArrayList<>();
    for (int i = 1; i <= NODES; i++) {
      int port = Ports.free();
      ports.add(port);
      nodes.add(new NodeProcess("node-" + i, port, jar, dir.resolve("node-" + i), env));
    }
    // Together, as a deploy would: Flyway's lock lets one of them migrate the schema.
    ExecutorService starter = Executors.newFixedThreadPool(NODES);
    try {
      List<Future<NodeProcess>> started = new ArrayList<>();
      for (NodeProcess node : nodes) {
        started.add(starter.submit(node::start));
      }
      for (Future<NodeProcess> f : started) {
        f.get();
      }
    } finally {
      starter.shutdown();
    }
    nginx = new Nginx(dir.resolve("nginx"), ports);
  }

  /**
   * The node holding the most job leases right now: the one whose death or freeze costs the most.
   * Read from the database (node ids start with the process id): observing, not driving, the
   * cluster; recurring jobs stay with the node that fires them, so a node picked blindly may hold
   * none.
   */
  NodeProcess busiestScheduler() throws SQLException {
    try (Connection c = DriverManager.getConnection(database.jdbcUrl(), "postgres", "");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    """
                    select split_part(lease_owner, '@', 1)::bigint as pid, count(*) from jobs
                    where lease_owner is not null group by 1 order by 2 desc limit 1
                    """)) {
      if (rs.next()) {
        long pid = rs.getLong(1);
        for (NodeProcess node : nodes) {
          if (node.alive() && node.pid() == pid) {
            return node;
          }
        }
      }
      return nodes.get(0);
    }
  }

  /** A client of the API through nginx. */
  Api api(String key) {
    return new Api(nginx.baseUrl(), key);
  }

  Api admin() {
    return api(ADMIN_KEY);
  }

  @Override
  public void close() {
    for (NodeProcess node : nodes) {
      if (node.alive()) {
        try {
          node.kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (nginx != null) {
      nginx.close();
    }
    target.close();
    database.close();
  }

  static Path newDirectory(String name) {
    try {
      // Absolute: nginx reads a relative -c path against its -p prefix.
      return Files.createDirectories(
          Path.of("target", "cluster", name + "-" + System.nanoTime()).toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
