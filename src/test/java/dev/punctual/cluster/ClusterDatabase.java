package dev.punctual.cluster;

import dev.punctual.db.EmbeddedServerSettings;
import dev.punctual.support.Ports;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The cluster's PostgreSQL: a real server process (zonky's embedded binaries), on a port of its
 * own, that the harness can stop and start again on the same port and data: a database restart the
 * nodes live through, without touching the machine's own PostgreSQL.
 */
final class ClusterDatabase implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  ClusterDatabase(Path dataDir) {
    this.dataDir = dataDir;
    this.port = Ports.free();
    start();
  }

  String url() {
    return "postgres://postgres@127.0.0.1:" + port + "/postgres";
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  void stop() {
    try {
      server.close();
      server = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts the server on its data (initialised at the first start; the directory is new for each
   * cluster). Never "clean": zonky deletes a clean data directory when the server stops.
   */
  void start() {
    try {
      // The settings of the product's embedded database: durable, as a production server is.
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPort(port);
      EmbeddedServerSettings.durable().forEach(builder::setServerConfig);
      server = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      stop();
    }
  }
}
