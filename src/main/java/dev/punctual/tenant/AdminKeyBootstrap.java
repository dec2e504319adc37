package dev.punctual.tenant;

import dev.punctual.config.PunctualProperties;
import dev.punctual.identity.Caller;
import dev.punctual.secret.PrivateFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * First start without {@code PUNCTUAL_ADMIN_KEY}: generate the admin key and write it to {@code
 * <data dir>/admin.key} (mode 0600). The log names the file, never the key: logs are shipped and
 * kept where keys must not be. Nodes starting together on one database take an advisory lock, so
 * exactly one of them generates it.
 */
@Component
class AdminKeyBootstrap implements ApplicationRunner {
  private static final Logger log = LoggerFactory.getLogger(AdminKeyBootstrap.class);
  private static final long LOCK_ID = 0x70756e6374L; // "punct"

  private final PunctualProperties properties;
  private final ApiKeyStore keys;
  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;

  AdminKeyBootstrap(
      PunctualProperties properties,
      ApiKeyStore keys,
      JdbcClient jdbc,
      TransactionTemplate transactions) {
    this.properties = properties;
    this.keys = keys;
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (properties.adminKey() != null && !properties.adminKey().isBlank()) {
      log.info("Admin key: taken from PUNCTUAL_ADMIN_KEY");
      return;
    }
    Path file = properties.dataDir().resolve("admin.key").toAbsolutePath();
    ApiKey generated =
        transactions.execute(
            tx -> {
              jdbc.sql("select pg_advisory_xact_lock(:id)")
                  .param("id", LOCK_ID)
                  .query()
                  .singleRow();
              if (keys.hasAdminKey()) {
                return null;
              }
              ApiKey key = ApiKey.generate();
              // The file first, durably, then the key's hash, committed after it: a start that
              // fails or dies between the two leaves a file no database knows (the next start makes
              // a new key and replaces it), never a database admin key that nobody holds.
              write(file, key.text());
              keys.insert(key, Caller.Kind.ADMIN, null);
              return key;
            });
    if (generated == null) {
      log.info("Admin key: kept in the database (see admin.key in the data dir of its first node)");
      return;
    }
    log.warn("Generated the admin key into {} (readable by this user only)", file);
  }

  /**
   * The key was just made (no node had one): an admin.key left by an earlier data dir's first node,
   * or by a start that did not commit its key, is replaced, durably ({@link PrivateFile}).
   */
  private static void write(Path file, String key) {
    try {
      Files.deleteIfExists(file);
      if (!PrivateFile.writeNew(file, key + System.lineSeparator())) {
        throw new IOException("written meanwhile by another process");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + file, e);
    }
  }
}
