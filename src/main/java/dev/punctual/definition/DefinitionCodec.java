package dev.punctual.definition;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.punctual.schedule.CronExpression;
import dev.punctual.schedule.CronSchedule;
import dev.punctual.schedule.IntervalSchedule;
import dev.punctual.schedule.OnceSchedule;
import dev.punctual.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one translation between a job's definition and the JSON stored in {@code jobs.schedule},
 * {@code jobs.target} and {@code jobs.retry} (also the form the API shows), and between the enums
 * and their columns. Writers store what {@code encode} gives, with every default filled in; readers
 * decode strictly: a stored value that is missing, of the wrong type or unknown is an {@link
 * UnreadableDefinitionException} naming the part, never a silent default, because a row that does
 * not say what the Jobs API wrote was changed by something else.
 */
public final class DefinitionCodec {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ZoneId UTC = ZoneId.of("UTC");

  /**
   * Decoded targets and retry policies by their stored text. The engine decodes a job's definition
   * at every claim of it (each fire of a one-shot) and a run's target and retry policy at every
   * claim of the run (each retry), and building the JSON tree and checking each field was a fifth
   * of the engine's own CPU in a burst (JFR, docs/benchmarks-log.md). These two parts repeat: jobs
   * of a service commonly share its webhook (the run's headers say which job fired), and retry
   * policies are stored with every default filled in, so they come from a handful of texts.
   * Schedules are not memoized: a one-shot's or an interval's text names its own instants and
   * rarely repeats.
   *
   * <p>Safe because decoding is a pure function of the text and its results are immutable records;
   * a text that does not decode throws every time and is never kept. Bounded by the characters of
   * the texts kept (Caffeine evicts the least useful), so a tenant with many distinct targets costs
   * a few MB at most; texts longer than {@link #MEMO_MAX_TEXT} are decoded every time.
   */
  private static final Cache<String, Target> TARGETS = memo(4_000_000);

  private static final Cache<String, RetryPolicy> RETRIES = memo(100_000);

  /**
   * Parsed durations (timeouts, backoffs, intervals): a few distinct texts, and {@link
   * Duration#parse} runs a regular expression each time.
   */
  private static final Cache<String, Duration> DURATIONS = memo(20_000);

  static final int MEMO_MAX_TEXT = 16_384;

  private static <V> Cache<String, V> memo(long maxChars) {
    return Caffeine.newBuilder()
        .maximumWeight(maxChars)
        .weigher((String text, V value) -> text.length())
        .build();
  }

  /** {@code decoder} of {@code text}, from {@code memo} when it was decoded before. */
  private static <V> V memoized(Cache<String, V> memo, String text, Function<String, V> decoder) {
    if (text == null || text.length() > MEMO_MAX_TEXT) {
      return decoder.apply(text);
    }
    return memo.get(text, decoder);
  }

  private DefinitionCodec() {}

  /**
   * Decodes one definition of each kind, so that the JSON mapper and every class the codec uses are
   * loaded before an engine starts: the first claim then costs what every claim costs. (Done
   * lazily, the first decode took about 400 ms on a cold JVM, and the first fires were that late.)
   */
  public static void warmUp() {
    decodeSchedule("{\"cron\":\"0 9 * * MON-FRI\",\"timezone\":\"Europe/Berlin\"}");
    decodeSchedule("{\"interval\":\"PT1S\",\"startAt\":\"2026-01-01T00:00:00Z\"}");
    decodeSchedule("{\"at\":\"2026-01-01T00:00:00Z\",\"notAfter\":\"2026-01-02T00:00:00Z\"}");
    decodeTarget(
        encode(
                new HttpTarget(
                    "POST", "http://h", Map.of("A", "b"), "{}", HttpTarget.DEFAULT_TIMEOUT))
            .toString());
    decodeRetry(encode(RetryPolicy.DEFAULT).toString());
    decodeEnum("misfire", Misfire.class, "FIRE_ONCE");
  }

  // ---- decoding (stored text -> model) ----

  /** Decodes a whole stored definition; the first unreadable part is the exception's reason. */
  public static JobDefinition decode(
      String schedule, String target, String retry, String overlap, String misfire) {
    return new JobDefinition(
        decodeSchedule(schedule),
        decodeTarget(target),
        decodeRetry(retry),
        decodeEnum("overlap", Overlap.class, overlap),
        decodeEnum("misfire", Misfire.class, misfire));
  }

  public static Schedule decodeSchedule(String text) {
    try {
      ScheduleFields s = ScheduleFields.read(JSON, text);
      Schedule.Bounds bounds =
          new Schedule.Bounds(
              instant("notBefore", s.string("notBefore", false)),
              instant("notAfter", s.string("notAfter", false)));
      int kinds = (s.has("cron") ? 1 : 0) + (s.has("interval") ? 1 : 0) + (s.has("at") ? 1 : 0);
      if (kinds != 1) {
        throw new IllegalArgumentException("must have exactly one of cron, interval or at");
      }
      if (s.has("cron")) {
        String zone = s.string("timezone", false);
        return new CronSchedule(
            CronExpression.parse(s.string("cron", true)),
            zone == null ? UTC : ZoneId.of(zone),
            bounds);
      }
      if (s.has("interval")) {
        return new IntervalSchedule(
            duration("interval", s.string("interval", true)),
            instant("startAt", s.string("startAt", true)),
            bounds);
      }
      return new OnceSchedule(instant("at", s.string("at", true)), bounds);
    } catch (UnreadableDefinitionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UnreadableDefinitionException("schedule", e);
    }
  }

  public static Target decodeTarget(String text) {
    return memoized(TARGETS, text, DefinitionCodec::readTarget);
  }

  private static Target readTarget(String text) {
    try {
      JsonNode t = object("target", text);
      String type = string(t, "type", false);
      TargetKind kind =
          TargetKind.ofType(type == null ? TargetKind.HTTP.type() : type)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown type '" + type + "' (known: http, amqp, redis, nats)"));
      Duration timeout = duration(t, "timeout", false);
      Duration attemptTimeout = timeout == null ? Target.DEFAULT_TIMEOUT : timeout;
      return switch (kind) {
        case HTTP -> decodeHttp(t);
        case AMQP ->
            new AmqpTarget(
                string(t, "url", true),
                string(t, "exchange", true),
                string(t, "routingKey", true),
                string(t, "body", false),
                attemptTimeout);
        case REDIS ->
            new RedisTarget(
                string(t, "url", true),
                string(t, "stream", true),
                t.has("maxLen") && !t.get("maxLen").isNull() ? (long) integer(t, "maxLen") : null,
                string(t, "body", false),
                attemptTimeout);
        case NATS ->
            new NatsTarget(
                string(t, "url", true),
                string(t, "subject", true),
                string(t, "body", false),
                attemptTimeout);
      };
    } catch (UnreadableDefinitionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UnreadableDefinitionException("target", e);
    }
  }

  private static HttpTarget decodeHttp(JsonNode t) {
    String method = string(t, "method", false);
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode h = t.get("headers");
    if (h != null && !h.isNull()) {
      if (!h.isObject()) {
        throw new IllegalArgumentException("headers must be an object");
      }
      for (Map.Entry<String, JsonNode> header : h.properties()) {
        if (!header.getValue().isString()) {
          throw new IllegalArgumentException("header " + header.getKey() + " is not a string");
        }
        headers.put(header.getKey(), header.getValue().asString());
      }
    }
    Duration timeout = duration(t, "timeout", false);
    OAuth2Auth auth = null;
    JsonNode a = t.get("auth");
    if (a != null && !a.isNull()) {
      if (!OAuth2Auth.TYPE.equals(string(a, "type", true))) {
        throw new IllegalArgumentException("auth.type " + a.get("type") + " is not known");
      }
      auth =
          new OAuth2Auth(
              string(a, "tokenUrl", true),
              string(a, "clientId", true),
              string(a, "clientSecret", true),
              string(a, "scope", false),
              string(a, "audience", false));
    }
    return new HttpTarget(
        method == null ? HttpTarget.DEFAULT_METHOD : method,
        string(t, "url", true),
        headers,
        string(t, "body", false),
        timeout == null ? HttpTarget.DEFAULT_TIMEOUT : timeout,
        auth);
  }

  public static RetryPolicy decodeRetry(String text) {
    return memoized(RETRIES, text, DefinitionCodec::readRetry);
  }

  private static RetryPolicy readRetry(String text) {
    try {
      JsonNode r = object("retry", text);
      RetryPolicy d = RetryPolicy.DEFAULT;
      Duration initial = duration(r, "initialBackoff", false);
      Duration max = duration(r, "maxBackoff", false);
      RetryPolicy policy =
          new RetryPolicy(
              r.has("maxAttempts") ? integer(r, "maxAttempts") : d.maxAttempts(),
              initial == null ? d.initialBackoff() : initial,
              max == null ? d.maxBackoff() : max,
              r.has("multiplier") ? number(r, "multiplier") : d.multiplier());
      if (policy.maxAttempts() < 1 || policy.multiplier() < 1.0) {
        throw new IllegalArgumentException("maxAttempts and multiplier must be at least 1");
      }
      return policy;
    } catch (UnreadableDefinitionException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UnreadableDefinitionException("retry", e);
    }
  }

  /** An enum column (overlap, misfire, a run's status or trigger). */
  public static <E extends Enum<E>> E decodeEnum(String column, Class<E> type, String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(value)) {
        return constant;
      }
    }
    throw new UnreadableDefinitionException(column, "unknown value '" + value + "'");
  }

  // ---- encoding (model -> stored and shown JSON) ----

  /** The normalized schedule: its kind's fields, then the bounds that are set. */
  public static ObjectNode encode(Schedule schedule) {
    ObjectNode json = NODES.objectNode();
    // Java 17 has no pattern switch; the interface is sealed to these three.
    if (schedule instanceof CronSchedule c) {
      json.put("cron", c.cron().text());
      json.put("timezone", c.zone().getId());
    } else if (schedule instanceof IntervalSchedule i) {
      json.put("interval", i.interval().toString());
      json.put("startAt", i.startAt().toString());
    } else if (schedule instanceof OnceSchedule o) {
      json.put("at", o.at().toString());
    }
    Schedule.Bounds bounds = schedule.bounds();
    if (bounds.notBefore() != null) {
      json.put("notBefore", bounds.notBefore().toString());
    }
    if (bounds.notAfter() != null) {
      json.put("notAfter", bounds.notAfter().toString());
    }
    return json;
  }

  /** The normalized target: its {@code type} first, then its kind's fields, defaults filled in. */
  public static ObjectNode encode(Target target) {
    ObjectNode json = NODES.objectNode();
    json.put("type", target.kind().type());
    switch (target.kind()) {
      case HTTP -> {
        HttpTarget http = (HttpTarget) target;
        json.put("method", http.method());
        json.put("url", http.url());
        ObjectNode headers = json.putObject("headers");
        http.headers().forEach(headers::put);
        json.put("body", http.body());
        if (http.auth() != null) {
          ObjectNode auth = json.putObject("auth");
          auth.put("type", OAuth2Auth.TYPE);
          auth.put("tokenUrl", http.auth().tokenUrl());
          auth.put("clientId", http.auth().clientId());
          auth.put("clientSecret", http.auth().clientSecret());
          auth.put("scope", http.auth().scope());
          auth.put("audience", http.auth().audience());
        }
      }
      case AMQP -> {
        AmqpTarget amqp = (AmqpTarget) target;
        json.put("url", amqp.url());
        json.put("exchange", amqp.exchange());
        json.put("routingKey", amqp.routingKey());
        json.put("body", amqp.body());
      }
      case REDIS -> {
        RedisTarget redis = (RedisTarget) target;
        json.put("url", redis.url());
        json.put("stream", redis.stream());
        json.put("maxLen", redis.maxLen());
        json.put("body", redis.body());
      }
      case NATS -> {
        NatsTarget nats = (NatsTarget) target;
        json.put("url", nats.url());
        json.put("subject", nats.subject());
        json.put("body", nats.body());
      }
    }
    json.put("timeout", target.timeout().toString());
    return json;
  }

  public static ObjectNode encode(RetryPolicy retry) {
    ObjectNode json = NODES.objectNode();
    json.put("maxAttempts", retry.maxAttempts());
    json.put("initialBackoff", retry.initialBackoff().toString());
    json.put("maxBackoff", retry.maxBackoff().toString());
    json.put("multiplier", retry.multiplier());
    return json;
  }

  // ---- strict readers of one field ----

  private static JsonNode object(String part, String text) {
    if (text == null) {
      throw new UnreadableDefinitionException(part, "missing");
    }
    JsonNode node = JSON.readTree(text);
    if (!node.isObject()) {
      throw new UnreadableDefinitionException(part, "is not a JSON object");
    }
    return node;
  }

  private static String string(JsonNode parent, String field, boolean required) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw new IllegalArgumentException(field + " is missing");
      }
      return null;
    }
    if (!node.isString()) {
      throw new IllegalArgumentException(field + " is not a string");
    }
    return node.asString();
  }

  /** An instant field's text, parsed; null stays null. */
  private static Instant instant(String field, String text) {
    try {
      return text == null ? null : IsoInstant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " '" + text + "' is not an ISO-8601 instant");
    }
  }

  /** A duration field; null when absent and not required. */
  private static Duration duration(JsonNode parent, String field, boolean required) {
    return duration(field, string(parent, field, required));
  }

  private static Duration duration(String field, String text) {
    try {
      return text == null ? null : memoized(DURATIONS, text, Duration::parse);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " '" + text + "' is not an ISO-8601 duration");
    }
  }

  private static int integer(JsonNode parent, String field) {
    JsonNode node = parent.get(field);
    if (!node.isInt()) {
      throw new IllegalArgumentException(field + " is not an integer");
    }
    return node.intValue();
  }

  private static double number(JsonNode parent, String field) {
    JsonNode node = parent.get(field);
    if (!node.isNumber()) {
      throw new IllegalArgumentException(field + " is not a number");
    }
    return node.doubleValue();
  }
}
