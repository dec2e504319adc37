package dev.punctual.secret;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * At start, before anything opens or seals a secret: registers this node's key ids in {@code
 * secret_keys} and refuses to start if the database's newest key is one this node does not hold
 * (another node's generated key, or a rotation this node has not been given). Decides whether this
 * node re-seals: only a node whose current key is the newest does, so nodes in the middle of a
 * rotation never re-seal back and forth.
 */
@Component
public class SecretKeyRegistry {
  private static final Logger log = LoggerFactory.getLogger(SecretKeyRegistry.class);
  private static final long LOCK_ID = 0x7365616c6bL; // "sealk"

  private final boolean currentIsNewest;

  SecretKeyRegistry(SecretBox box, JdbcClient jdbc, TransactionTemplate transactions) {
    String newest =
        transactions.execute(
            tx -> {
              jdbc.sql("select pg_advisory_xact_lock(:id)")
                  .param("id", LOCK_ID)
                  .query()
                  .singleRow();
              String before = newest(jdbc);
              if (before != null && !box.keyIds().contains(before)) {
                throw new IllegalStateException(
                    ("This node cannot open the secrets of this database: they are sealed under"
                            + " secret key %s, and this node holds %s. Nodes sharing a database"
                            + " need the same key: set PUNCTUAL_SECRET_KEY (or"
                            + " PUNCTUAL_SECRET_KEY_FILE) to it on every node (docs/security.md,"
                            + " \"Secrets at rest\").")
                        .formatted(before, String.join(", ", box.keyIds())));
              }
              // Older keys first: a key new to the database becomes its newest.
              List<String> ids = new ArrayList<>(box.keyIds());
              Collections.reverse(ids);
              for (String id : ids) {
                jdbc.sql("insert into secret_keys (id) values (:id) on conflict (id) do nothing")
                    .param("id", id)
                    .update();
              }
              return newest(jdbc);
            });
    currentIsNewest = box.currentKeyId().equals(newest);
    log.info(
        "Secret keys: sealing under {}{}",
        box.currentKeyId(),
        currentIsNewest ? "" : " (the database's newest key is " + newest + ": not re-sealing)");
  }

  private static String newest(JdbcClient jdbc) {
    return jdbc.sql("select id from secret_keys order by seq desc limit 1")
        .query(String.class)
        .optional()
        .orElse(null);
  }

  /** Whether this node's current key is the database's newest: only then does it re-seal. */
  public boolean currentIsNewest() {
    return currentIsNewest;
  }
}
