package dev.punctual.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of a laptop install: real PostgreSQL binaries (zonky) whose data lives in
 * {@code <data dir>/pg} and survives restarts, run with durable settings ({@link
 * EmbeddedServerSettings}). Stopped cleanly when the context closes.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedDatabase start(Path dataDir, String operatorSettings) {
    Map<String, String> own = EmbeddedServerSettings.parse(operatorSettings);
    Map<String, String> settings = EmbeddedServerSettings.withOperatorSettings(own);
    if (!own.isEmpty()) {
      log.info("Embedded PostgreSQL: the operator's settings {}", own);
    }
    List<String> weakened = EmbeddedServerSettings.weakened(own);
    if (!weakened.isEmpty()) {
      log.warn(
          "Embedded PostgreSQL: {} set by PUNCTUAL_EMBEDDED_SETTINGS: a crash can lose"
              + " acknowledged writes",
          weakened);
    }
    Path pgDir = dataDir.resolve("pg").toAbsolutePath();
    try {
      Files.createDirectories(pgDir);
      stopOrphanedServer(pgDir);
      long started = System.nanoTime();
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(pgDir)
              .setCleanDataDirectory(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              // The context closes it; a JVM shutdown hook of zonky's own would race with ours.
              .setRegisterShutdownHook(false);
      settings.forEach(builder::setServerConfig);
      EmbeddedPostgres postgres = builder.start();
      log.info(
          "Embedded PostgreSQL started in {} ms on port {}, data in {}",
          (System.nanoTime() - started) / 1_000_000,
          postgres.getPort(),
          pgDir);
      return new EmbeddedDatabase(postgres);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + pgDir, e);
    }
  }

  /**
   * A node killed with {@code kill -9} leaves its PostgreSQL child running on the data dir, and the
   * next start would fail on its lock. Ask that orphan to shut down first.
   */
  private static void stopOrphanedServer(Path pgDir) throws IOException {
    Path pidFile = pgDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    Optional<ProcessHandle> orphan =
        lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
    if (orphan.isPresent()
        && orphan.get().isAlive()
        && orphan.get().info().command().orElse("").endsWith("postgres")) {
      log.warn("Stopping an orphaned embedded PostgreSQL (pid {})", orphan.get().pid());
      orphan.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown
      try {
        orphan.get().onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException(
            "The orphaned PostgreSQL (pid " + orphan.get().pid() + ") won't stop");
      }
    }
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  @Override
  public void close() throws IOException {
    postgres.close();
    log.info("Embedded PostgreSQL stopped");
  }
}
