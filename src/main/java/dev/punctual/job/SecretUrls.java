package dev.punctual.job;

import dev.punctual.secret.UrlSecrets;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Passwords in the URLs of broker targets ({@code amqp://user:password@host/}). Like secret header
 * values ({@link SecretHeaders}), the API shows them as {@link #REDACTED} after a write, and a PUT
 * or PATCH that sends the URL back with {@link #REDACTED} keeps the stored password. A URL whose
 * user part is a single token ({@code nats://token@host}) has the whole token redacted.
 */
final class SecretUrls {
  static final String REDACTED = SecretHeaders.REDACTED;
  private static final Set<String> BROKER_TYPES = Set.of("amqp", "redis", "nats");

  private SecretUrls() {}

  /** A copy of a stored target whose URL's password is replaced by {@link #REDACTED}. */
  static JsonNode redact(JsonNode target) {
    String url = brokerUrl(target);
    if (url == null) {
      return target;
    }
    String redacted = redact(url);
    if (redacted.equals(url)) {
      return target;
    }
    ObjectNode copy = ((ObjectNode) target).deepCopy();
    copy.put("url", redacted);
    return copy;
  }

  /** The URL with its password (or lone token) shown as {@link #REDACTED}. */
  static String redact(String url) {
    return UrlSecrets.map(url, secret -> REDACTED);
  }

  /**
   * The body of a PUT or PATCH with a {@link #REDACTED} password (or token) in its broker URL
   * replaced by the stored one. Left as is (for the reader to refuse) when the stored URL has no
   * secret of the same kind: a password for {@code user:***@}, a token for {@code ***@}.
   */
  static JsonNode restore(JsonNode body, JsonNode storedTarget) {
    String url = brokerUrl(body.get("target"));
    UrlSecrets.Secret sent = UrlSecrets.secretOf(url);
    UrlSecrets.Secret kept = UrlSecrets.secretOf(brokerUrl(storedTarget));
    if (sent == null
        || kept == null
        || !sent.value().equals(REDACTED)
        || sent.afterUser() != kept.afterUser()) {
      return body;
    }
    ObjectNode copy = ((ObjectNode) body).deepCopy();
    ((ObjectNode) copy.get("target")).put("url", UrlSecrets.map(url, secret -> kept.value()));
    return copy;
  }

  /** The URL of a broker target (amqp, redis, nats); null for any other target. */
  static String brokerUrl(JsonNode target) {
    if (target == null || !target.isObject()) {
      return null;
    }
    JsonNode type = target.get("type");
    JsonNode url = target.get("url");
    return type != null
            && type.isString()
            && BROKER_TYPES.contains(type.asString())
            && url != null
            && url.isString()
        ? url.asString()
        : null;
  }
}
