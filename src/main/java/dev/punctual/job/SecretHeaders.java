package dev.punctual.job;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Target headers whose values are credentials ({@code Authorization}, {@code Cookie}, anything
 * named like a token, key, secret or password). The API never shows their values again after a
 * write: answers carry {@link #REDACTED} instead. A PUT or PATCH that sends {@link #REDACTED} back
 * for a header the job has keeps the stored value, so a client can GET a job, change a field and
 * PUT it back without knowing the secret.
 */
final class SecretHeaders {
  static final String REDACTED = "***";
  static final String AUTH_SECRET = "clientSecret";

  private static final Set<String> NAMES = Set.of("authorization", "proxy-authorization", "cookie");
  private static final String[] PARTS = {
    "token",
    "secret",
    "password",
    "passwd",
    "api-key",
    "apikey",
    "api_key",
    "credential",
    "auth",
    "session",
    "signature"
  };

  private SecretHeaders() {}

  static boolean isSecret(String headerName) {
    String lower = headerName.toLowerCase(Locale.ROOT);
    if (NAMES.contains(lower)) {
      return true;
    }
    for (String part : PARTS) {
      if (lower.contains(part)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A copy of a stored target with the values of secret headers, and the OAuth client secret of
   * {@code auth}, replaced by {@link #REDACTED}.
   */
  static JsonNode redact(JsonNode target) {
    JsonNode headers = target == null ? null : target.get("headers");
    boolean auth = target != null && target.path("auth").has(AUTH_SECRET);
    if (!auth && (headers == null || !headers.isObject() || !anySecret(headers))) {
      return target;
    }
    ObjectNode copy = ((ObjectNode) target).deepCopy();
    if (auth) {
      ((ObjectNode) copy.get("auth")).put(AUTH_SECRET, REDACTED);
    }
    if (headers == null || !headers.isObject()) {
      return copy;
    }
    ObjectNode redacted = (ObjectNode) copy.get("headers");
    for (String name : headers.propertyNames()) {
      if (isSecret(name)) {
        redacted.put(name, REDACTED);
      }
    }
    return copy;
  }

  /**
   * The body of a PUT or PATCH with each {@link #REDACTED} secret header value replaced by the
   * value the job has stored under the same name; placeholders the job cannot fill are left for the
   * reader to refuse.
   */
  static JsonNode restore(JsonNode body, JsonNode storedTarget) {
    body = restoreAuthSecret(body, storedTarget);
    JsonNode headers = body.path("target").path("headers");
    JsonNode stored = storedTarget == null ? null : storedTarget.get("headers");
    if (!headers.isObject() || stored == null || !stored.isObject()) {
      return body;
    }
    ObjectNode copy = ((ObjectNode) body).deepCopy();
    ObjectNode newHeaders = (ObjectNode) copy.get("target").get("headers");
    for (Map.Entry<String, JsonNode> header : headers.properties()) {
      JsonNode kept = stored.get(header.getKey());
      if (isSecret(header.getKey())
          && REDACTED.equals(header.getValue().stringValue(null))
          && kept != null) {
        newHeaders.set(header.getKey(), kept);
      }
    }
    return copy;
  }

  /** {@code target.auth.clientSecret} sent back as {@link #REDACTED}: the stored one is kept. */
  private static JsonNode restoreAuthSecret(JsonNode body, JsonNode storedTarget) {
    JsonNode sent = body.path("target").path("auth").path(AUTH_SECRET);
    JsonNode kept = storedTarget == null ? null : storedTarget.path("auth").get(AUTH_SECRET);
    if (!REDACTED.equals(sent.stringValue(null)) || kept == null) {
      return body;
    }
    ObjectNode copy = ((ObjectNode) body).deepCopy();
    ((ObjectNode) copy.get("target").get("auth")).set(AUTH_SECRET, kept);
    return copy;
  }

  private static boolean anySecret(JsonNode headers) {
    for (String name : headers.propertyNames()) {
      if (isSecret(name)) {
        return true;
      }
    }
    return false;
  }
}
