package dev.punctual.tenant;

import dev.punctual.secret.SealedStore;
import dev.punctual.secret.SecretBox;
import dev.punctual.secret.SecretUnavailableException;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Re-seals the tenants' webhook signing secrets after a key rotation ({@link SealedStore}). */
@Component
class SigningSecretStore implements SealedStore {
  private final JdbcClient jdbc;
  private final TransactionTemplate transactions;

  SigningSecretStore(JdbcClient jdbc, TransactionTemplate transactions) {
    this.jdbc = jdbc;
    this.transactions = transactions;
  }

  @Override
  public String name() {
    return "signing secrets";
  }

  @Override
  public long resealBatch(SecretBox box, long after, int batch) {
    return transactions.execute(
        tx -> {
          List<Map<String, Object>> rows =
              jdbc.sql(
                      """
                      select id, secret from signing_secrets where id > :after
                      order by id limit :batch for update
                      """)
                  .param("after", after)
                  .param("batch", batch)
                  .query()
                  .listOfRows();
          for (Map<String, Object> row : rows) {
            String stored = (String) row.get("secret");
            if (box.sealedUnderCurrentKey(stored)) {
              continue;
            }
            String resealed;
            try {
              resealed = box.reseal(stored);
            } catch (SecretUnavailableException e) {
              continue; // altered: left as it is (its tenant rotates it); the others go on
            }
            jdbc.sql("update signing_secrets set secret = :secret where id = :id")
                .param("secret", resealed)
                .param("id", row.get("id"))
                .update();
          }
          return rows.size() < batch
              ? -1L
              : ((Number) rows.get(rows.size() - 1).get("id")).longValue();
        });
  }
}
