package dev.punctual.job;

import dev.punctual.definition.HttpTarget;
import dev.punctual.definition.JobDefinition;
import dev.punctual.definition.Misfire;
import dev.punctual.definition.OAuth2Auth;
import dev.punctual.definition.Overlap;
import dev.punctual.definition.RetryPolicy;
import dev.punctual.definition.Target;
import dev.punctual.definition.TargetKind;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.schedule.Schedule;
import dev.punctual.web.JsonInput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the writable fields of a job from a request body (POST, PUT, or the result of a merge
 * patch), answering 400 with every bad field named. Read-only fields (a GET body sent back) are
 * ignored; unknown fields are errors, so a typo is not silently dropped.
 */
final class JobSpecReader {
  static final Set<String> WRITABLE =
      Set.of(
          "name",
          "description",
          "schedule",
          "target",
          "retry",
          "overlap",
          "misfire",
          "enabled",
          "labels",
          "pauseAfterFailures",
          "maxRuns",
          "notificationUrl");
  static final Set<String> READ_ONLY =
      Set.of(
          "id",
          "state",
          "error",
          "pausedReason",
          "scheduledRuns",
          "nextRunAt",
          "lastRun",
          "version",
          "createdAt",
          "updatedAt");
  static final int MAX_PAUSE_AFTER_FAILURES = 1000;

  static final String NAME_REGEX = "[A-Za-z0-9._-]{1,100}";
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final int MAX_HEADERS = 50;
  static final int MAX_LABELS = 64;
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final String HEADER_NAME_REGEX = "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}";
  private static final String LABEL_KEY_REGEX = "[A-Za-z0-9._/-]{1,63}";

  /** Headers Punctual sets itself on every delivery (docs/api.md), or that HTTP owns. */
  private static final Set<String> RESERVED_HEADERS =
      Set.of(
          "host",
          "content-length",
          "transfer-encoding",
          "connection",
          "upgrade",
          "te",
          "trailer",
          "keep-alive",
          "user-agent",
          "idempotency-key",
          "webhook-id",
          "webhook-timestamp",
          "webhook-signature");

  private JobSpecReader() {}

  /**
   * Reads a job body.
   *
   * @param now the write time: the default {@code startAt} of interval schedules
   * @throws dev.punctual.web.ApiProblem 400 naming each bad field
   */
  static JobSpec read(JsonNode body, Instant now, EgressGuard guard) {
    JsonInput in = JsonInput.of(body);
    in.allowOnly(WRITABLE, READ_ONLY);
    String name =
        in.string("name", true, 100, NAME_REGEX, "must be 1-100 characters of A-Z a-z 0-9 . _ -");
    String description = in.string("description", false, 1000);
    JsonInput scheduleIn = in.object("schedule", true);
    Schedule schedule = scheduleIn == null ? null : ScheduleReader.read(scheduleIn, now);
    JsonInput targetIn = in.object("target", true);
    Target target = targetIn == null ? null : readTarget(targetIn, guard);
    JsonInput retryIn = in.object("retry", false);
    RetryPolicy retry = readRetry(retryIn);
    Overlap overlap = in.enumValue("overlap", Overlap.class);
    Misfire misfire = in.enumValue("misfire", Misfire.class);
    Boolean enabled = in.bool("enabled");
    Map<String, String> labels =
        in.stringMap(
            "labels",
            MAX_LABELS,
            LABEL_KEY_REGEX,
            "label keys are 1-63 characters of A-Z a-z 0-9 . _ / -",
            255);
    Integer pauseAfterFailures = in.integer("pauseAfterFailures", 1, MAX_PAUSE_AFTER_FAILURES);
    Integer maxRuns = in.integer("maxRuns", 1, Integer.MAX_VALUE);
    String notificationUrl = in.string("notificationUrl", false, 2048);
    if (notificationUrl != null) {
      guard
          .problemWithUrl(notificationUrl)
          .ifPresent(problem -> in.error("notificationUrl", problem));
    }
    in.throwIfInvalid();
    return new JobSpec(
        name,
        description,
        new JobDefinition(
            schedule,
            target,
            retry,
            overlap == null ? Overlap.SKIP : overlap,
            misfire == null ? Misfire.FIRE_ONCE : misfire),
        enabled == null || enabled,
        labels == null ? Map.of() : labels,
        pauseAfterFailures,
        maxRuns == null ? null : maxRuns.longValue(),
        notificationUrl);
  }

  /** A target of the kind its {@code type} names (default {@code http}). */
  private static Target readTarget(JsonInput in, EgressGuard guard) {
    String type = in.has("type") ? in.string("type", false, 16) : null;
    TargetKind kind = type == null ? TargetKind.HTTP : TargetKind.ofType(type).orElse(null);
    if (kind == null) {
      in.error("type", "must be one of http, amqp, redis, nats");
      return null;
    }
    return switch (kind) {
      case HTTP -> readHttpTarget(in, guard);
      case AMQP -> BrokerTargetReader.amqp(in, guard);
      case REDIS -> BrokerTargetReader.redis(in, guard);
      case NATS -> BrokerTargetReader.nats(in, guard);
    };
  }

  private static HttpTarget readHttpTarget(JsonInput in, EgressGuard guard) {
    in.allowOnly(Set.of("type", "method", "url", "headers", "body", "timeout", "auth"), Set.of());
    String method = in.string("method", false, 16);
    if (method != null) {
      method = method.toUpperCase(Locale.ROOT);
      if (!METHODS.contains(method)) {
        in.error("method", "must be one of GET, POST, PUT, PATCH, DELETE");
      }
    }
    String url = in.string("url", true, 2048);
    if (url != null) {
      checkUrl(in, url, guard);
    }
    Map<String, String> headers =
        in.stringMap(
            "headers", MAX_HEADERS, HEADER_NAME_REGEX, "is not a valid HTTP header name", 4096);
    if (headers != null) {
      checkHeaders(in, headers);
    }
    String body = in.string("body", false, MAX_BODY_BYTES);
    if (body != null && body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
      in.error("body", "must be at most " + MAX_BODY_BYTES + " bytes");
    }
    Duration timeout = in.duration("timeout", false, Duration.ofSeconds(1), Duration.ofMinutes(15));
    OAuth2Auth auth = readAuth(in.object("auth", false), guard);
    if (auth != null
        && headers != null
        && headers.keySet().stream().anyMatch(n -> n.equalsIgnoreCase("Authorization"))) {
      in.error("headers.Authorization", "is set by target.auth; send one or the other");
    }
    if (!in.isValid()) {
      return null;
    }
    return new HttpTarget(
        method == null ? HttpTarget.DEFAULT_METHOD : method,
        url,
        headers == null ? Map.of() : headers,
        body,
        timeout == null ? HttpTarget.DEFAULT_TIMEOUT : timeout,
        auth);
  }

  /**
   * {@code target.auth}: {@code {"type": "oauth2", "tokenUrl", "clientId", "clientSecret", "scope",
   * "audience"}}. The token URL passes the egress guard like the target's.
   */
  private static OAuth2Auth readAuth(JsonInput in, EgressGuard guard) {
    if (in == null) {
      return null;
    }
    in.allowOnly(
        Set.of("type", "tokenUrl", "clientId", "clientSecret", "scope", "audience"), Set.of());
    String type = in.string("type", true, 16);
    if (type != null && !type.equals(OAuth2Auth.TYPE)) {
      in.error("type", "must be \"oauth2\" (client credentials)");
    }
    String tokenUrl = in.string("tokenUrl", true, 2048);
    if (tokenUrl != null) {
      guard.problemWithUrl(tokenUrl).ifPresent(problem -> in.error("tokenUrl", problem));
    }
    String clientId = in.string("clientId", true, 256);
    String clientSecret = in.string("clientSecret", true, 4096);
    if (SecretHeaders.REDACTED.equals(clientSecret)) {
      in.error("clientSecret", "is the placeholder the API shows for secrets; send the real value");
    }
    String scope = in.string("scope", false, 1024);
    String audience = in.string("audience", false, 1024);
    return in.isValid() ? new OAuth2Auth(tokenUrl, clientId, clientSecret, scope, audience) : null;
  }

  private static void checkUrl(JsonInput in, String url, EgressGuard guard) {
    guard.problemWithUrl(url).ifPresent(problem -> in.error("url", problem));
  }

  private static void checkHeaders(JsonInput in, Map<String, String> headers) {
    headers.forEach(
        (name, value) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (RESERVED_HEADERS.contains(lower) || lower.startsWith("x-punctual-")) {
            in.error("headers." + name, "is set by Punctual or by HTTP itself");
          } else if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
            in.error("headers." + name, "must not contain control characters (CR, LF, NUL...)");
          } else if (SecretHeaders.isSecret(name) && SecretHeaders.REDACTED.equals(value)) {
            in.error(
                "headers." + name,
                "is the placeholder the API shows for secret values; send the real value");
          }
        });
  }

  private static RetryPolicy readRetry(JsonInput in) {
    Integer maxAttempts = null;
    Duration initial = null;
    Duration max = null;
    Double multiplier = null;
    if (in != null) {
      in.allowOnly(Set.of("maxAttempts", "initialBackoff", "maxBackoff", "multiplier"), Set.of());
      maxAttempts = in.integer("maxAttempts", 1, 20);
      initial = in.duration("initialBackoff", false, Duration.ofMillis(100), Duration.ofHours(1));
      max = in.duration("maxBackoff", false, Duration.ofMillis(100), Duration.ofHours(24));
      multiplier = in.number("multiplier", 1.0, 10.0);
    }
    RetryPolicy d = RetryPolicy.DEFAULT;
    Duration initialOrDefault = initial == null ? d.initialBackoff() : initial;
    Duration maxOrDefault = max == null ? d.maxBackoff() : max;
    if (in != null && maxOrDefault.compareTo(initialOrDefault) < 0) {
      in.error("maxBackoff", "must not be less than initialBackoff (" + initialOrDefault + ")");
    }
    return new RetryPolicy(
        maxAttempts == null ? d.maxAttempts() : maxAttempts,
        initialOrDefault,
        maxOrDefault,
        multiplier == null ? d.multiplier() : multiplier);
  }

  /** JSON Merge Patch (RFC 7386): objects merge, {@code null} removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, JsonNode> entry : patch.properties()) {
      if (entry.getValue().isNull()) {
        result.remove(entry.getKey());
      } else {
        result.set(entry.getKey(), mergePatch(result.get(entry.getKey()), entry.getValue()));
      }
    }
    return result;
  }
}
