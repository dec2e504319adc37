package dev.punctual.job;

import dev.punctual.definition.AmqpTarget;
import dev.punctual.definition.NatsTarget;
import dev.punctual.definition.RedisTarget;
import dev.punctual.definition.Target;
import dev.punctual.delivery.BrokerUrl;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.web.JsonInput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * Reads the message broker targets ({@code amqp}, {@code redis}, {@code nats}; docs/targets.md),
 * with every bad field named. Credentials belong in the URL here (brokers take them there); the API
 * shows their password as {@code ***} ({@link SecretUrls}).
 */
final class BrokerTargetReader {
  private static final String NAME_RULE = "must be 1-255 printable characters without spaces";
  private static final String NAME_REGEX = "[\\x21-\\x7e]{1,255}";
  // NATS subjects: tokens separated by dots; wildcards are for subscribers, not publishers.
  private static final String SUBJECT_REGEX = "[^\\s.*>]+(\\.[^\\s.*>]+)*";

  private BrokerTargetReader() {}

  static AmqpTarget amqp(JsonInput in, EgressGuard guard) {
    in.allowOnly(Set.of("type", "url", "exchange", "routingKey", "body", "timeout"), Set.of());
    String url = url(in, guard, Set.of("amqp", "amqps"));
    String exchange = in.has("exchange") ? in.string("exchange", false, 255) : "";
    if (exchange != null && !exchange.isEmpty() && !exchange.matches(NAME_REGEX)) {
      in.error("exchange", "must be empty (the default exchange) or " + NAME_RULE.substring(5));
    }
    String routingKey = in.string("routingKey", true, 255);
    String body = body(in);
    Duration timeout = timeout(in);
    return in.isValid()
        ? new AmqpTarget(url, exchange == null ? "" : exchange, routingKey, body, timeout)
        : null;
  }

  static RedisTarget redis(JsonInput in, EgressGuard guard) {
    in.allowOnly(Set.of("type", "url", "stream", "maxLen", "body", "timeout"), Set.of());
    String url = url(in, guard, Set.of("redis", "rediss"));
    String stream = in.string("stream", true, 255, NAME_REGEX, NAME_RULE);
    Integer maxLen = in.integer("maxLen", 1, 1_000_000_000);
    String body = body(in);
    Duration timeout = timeout(in);
    return in.isValid()
        ? new RedisTarget(url, stream, maxLen == null ? null : maxLen.longValue(), body, timeout)
        : null;
  }

  static NatsTarget nats(JsonInput in, EgressGuard guard) {
    in.allowOnly(Set.of("type", "url", "subject", "body", "timeout"), Set.of());
    String url = url(in, guard, Set.of("nats", "tls"));
    String subject =
        in.string(
            "subject",
            true,
            255,
            SUBJECT_REGEX,
            "must be dot-separated tokens without spaces or wildcards (* >)");
    String body = body(in);
    Duration timeout = timeout(in);
    return in.isValid() ? new NatsTarget(url, subject, body, timeout) : null;
  }

  private static String url(JsonInput in, EgressGuard guard, Set<String> schemes) {
    String url = in.string("url", true, 2048);
    if (url == null) {
      return null;
    }
    try {
      BrokerUrl parsed = BrokerUrl.parse(url, schemes);
      if (SecretUrls.REDACTED.equals(parsed.password())
          || (parsed.password() == null && SecretUrls.REDACTED.equals(parsed.user()))) {
        in.error("url", "carries the placeholder the API shows for passwords; send the real one");
      }
      guard
          .denialOfLiteral(parsed.host())
          .ifPresent(reason -> in.error("url", "targets may not reach it: " + reason));
    } catch (IllegalArgumentException e) {
      in.error("url", e.getMessage());
    }
    return url;
  }

  private static String body(JsonInput in) {
    String body = in.string("body", false, JobSpecReader.MAX_BODY_BYTES);
    if (body != null
        && body.getBytes(StandardCharsets.UTF_8).length > JobSpecReader.MAX_BODY_BYTES) {
      in.error("body", "must be at most " + JobSpecReader.MAX_BODY_BYTES + " bytes");
    }
    return body;
  }

  private static Duration timeout(JsonInput in) {
    Duration timeout = in.duration("timeout", false, Duration.ofSeconds(1), Duration.ofMinutes(15));
    return timeout == null ? Target.DEFAULT_TIMEOUT : timeout;
  }
}
