package dev.punctual.job;

import dev.punctual.secret.SealedStore;
import dev.punctual.secret.SecretBox;
import dev.punctual.secret.SecretUnavailableException;
import dev.punctual.secret.UrlSecrets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The secrets of job targets, sealed in the stored target JSON: secret header values ({@link
 * SecretHeaders}), an OAuth 2.0 client secret, a broker URL's password or token ({@link
 * SecretUrls}, sealed in place by {@link UrlSecrets}). Sealed when a job is written, opened for a
 * PUT or PATCH that sends {@code ***} back (so the reader checks the value it will keep), re-sealed
 * after a key rotation. The engine opens them at delivery; the API never shows them.
 */
@Component
class TargetSecrets implements SealedStore {
  private final SecretBox box;
  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final TransactionTemplate transactions;

  TargetSecrets(SecretBox box, JdbcClient jdbc, JsonMapper json, TransactionTemplate transactions) {
    this.box = box;
    this.jdbc = jdbc;
    this.json = json;
    this.transactions = transactions;
  }

  /** A copy of a target with every secret sealed (values sealed already stay). */
  JsonNode seal(JsonNode target) {
    return map(target, value -> SecretBox.isSealed(value) ? value : box.seal(value), true);
  }

  /**
   * A copy of a stored target with its sealed secrets opened; a value that does not open (altered
   * in the database) is kept sealed, to be replaced by the write or kept as it is.
   */
  JsonNode openOrKeep(JsonNode target) {
    return map(
        target,
        value -> {
          try {
            return box.open(value);
          } catch (SecretUnavailableException e) {
            return value;
          }
        },
        false);
  }

  /**
   * A copy of a target with {@code f} applied to its secrets: with {@code allSecrets} to every
   * value that is a secret (sealing, re-sealing), else to the sealed ones only (opening).
   */
  private static JsonNode map(JsonNode target, UnaryOperator<String> f, boolean allSecrets) {
    String brokerUrl = SecretUrls.brokerUrl(target);
    if (brokerUrl != null) {
      // A broker target's one secret is its URL's password (or token).
      String mapped =
          UrlSecrets.map(
              brokerUrl, value -> allSecrets || SecretBox.isSealed(value) ? f.apply(value) : value);
      if (mapped.equals(brokerUrl)) {
        return target;
      }
      ObjectNode copy = ((ObjectNode) target).deepCopy();
      copy.put("url", mapped);
      return copy;
    }
    JsonNode headers = target == null ? null : target.get("headers");
    String authSecret =
        target == null
            ? null
            : target.path("auth").path(SecretHeaders.AUTH_SECRET).stringValue(null);
    if ((headers == null || !headers.isObject()) && authSecret == null) {
      return target;
    }
    ObjectNode copy = ((ObjectNode) target).deepCopy();
    if (authSecret != null && (allSecrets || SecretBox.isSealed(authSecret))) {
      ((ObjectNode) copy.get("auth")).put(SecretHeaders.AUTH_SECRET, f.apply(authSecret));
    }
    if (headers == null || !headers.isObject()) {
      return copy;
    }
    ObjectNode out = (ObjectNode) copy.get("headers");
    for (Map.Entry<String, JsonNode> header : headers.properties()) {
      String value = header.getValue().stringValue(null);
      boolean applies =
          value != null
              && (allSecrets ? SecretHeaders.isSecret(header.getKey()) : SecretBox.isSealed(value));
      if (applies) {
        out.put(header.getKey(), f.apply(value));
      }
    }
    return copy;
  }

  @Override
  public String name() {
    return "job target headers";
  }

  @Override
  public long resealBatch(SecretBox box, long after, int batch) {
    return transactions.execute(
        tx -> {
          // Only rows with headers, an OAuth client or a broker URL can hold a secret; the text
          // tests are a cheap first filter.
          List<Map<String, Object>> rows =
              jdbc.sql(
                      """
                      select id, target::text as target from jobs
                      where id > :after
                        and (target::text like '%"headers"%' or target::text like '%"auth"%'
                             or target->>'type' in ('amqp', 'redis', 'nats'))
                      order by id limit :batch
                      """)
                  .param("after", after)
                  .param("batch", batch)
                  .query()
                  .listOfRows();
          for (Map<String, Object> row : rows) {
            String stored = (String) row.get("target");
            JsonNode target = json.readTree(stored);
            JsonNode resealed;
            try {
              resealed = map(target, box::reseal, true);
            } catch (SecretUnavailableException e) {
              // A value that does not open (altered) stays as it is; the other rows go on. Its
              // deliveries fail with the reason until the job is written again.
              continue;
            }
            String text = resealed.toString();
            if (!text.equals(target.toString())) {
              // Compare-and-set: a job rewritten meanwhile was sealed by its writer.
              jdbc.sql("update jobs set target = :new::json where id = :id and target::text = :old")
                  .param("new", text)
                  .param("id", row.get("id"))
                  .param("old", stored)
                  .update();
            }
          }
          return rows.size() < batch
              ? -1L
              : ((Number) rows.get(rows.size() - 1).get("id")).longValue();
        });
  }
}
