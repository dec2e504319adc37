package dev.punctual.support;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Hostile values from a seeded {@link Random}: malformed, oversized, injected and unicode-laden
 * strings, numbers past every range, wrong JSON types, and values shaped like each field's domain
 * (cron, zone ids, durations, instants, URLs, header names and values) but wrong.
 */
public final class Hostile {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  public static final List<String> STRINGS =
      List.of(
          "",
          " ",
          "\u0000",
          "a\u0000b",
          "\r\nX-Injected: 1",
          "line\nbreak",
          "\t",
          "\uD83D\uDE00\uD83D\uDE00",
          "\u202Eevil\u202C",
          "\uFEFF",
          "\uD800",
          "Ω≈ç√∫˜µ≤≥÷",
          "../../../../etc/passwd",
          "' OR 1=1 --",
          "'; drop table jobs; --",
          "${jndi:ldap://127.0.0.1/x}",
          "%s%s%s%n",
          "%00",
          "<script>alert(1)</script>",
          "null",
          "true",
          "NaN",
          "-Infinity",
          "1e999999",
          "-0",
          "99999999999999999999999999999",
          "0x7fffffff",
          "\\u0000",
          "{\"nested\":true}");

  public static final List<String> CRONS =
      List.of(
          "* * * * *",
          "*/0 * * * *",
          "*/-1 * * * *",
          "60 * * * *",
          "0 24 * * *",
          "0 0 32 * *",
          "0 0 0 * *",
          "0 0 * 13 *",
          "0 0 * * 8",
          "0 0 L * *",
          "0 0 1W * *",
          "0 0 * * 1#5",
          "@every 1s",
          "@reboot",
          "@yearlyy",
          "1-60/5 * * * *",
          "5-1 * * * *",
          "* * * * * * *",
          "*",
          ",,,, * * * *",
          "0 0 31 2 *",
          "0 0 29 2 *",
          "99999999999999999999 * * * *",
          "0 0 * JANUARY MONDAY",
          "? ? ? ? ?",
          "0 0 ? * ?",
          "-1 * * * *");

  public static final List<String> ZONES =
      List.of(
          "UTC",
          "Europe/Berlin",
          "Mars/Olympus",
          "UTC+25",
          "GMT+14:00",
          "Etc/GMT-14",
          "+18:00",
          "+19:00",
          "-00:00",
          "Z",
          "EST",
          "SystemV/AST4",
          "../../etc/localtime",
          "America/Argentina/ComodRivadavia",
          "europe/berlin",
          "Europe/Berlin ");

  public static final List<String> DURATIONS =
      List.of(
          "PT0S",
          "PT-1S",
          "-PT1S",
          "PT0.5S",
          "PT0.999999999S",
          "P1Y",
          "P1M",
          "P365000000D",
          "PT9999999999999999999H",
          "PT1S ",
          "1s",
          "P",
          "PT",
          "P1DT",
          "PT1H1H");

  public static final List<String> INSTANTS =
      List.of(
          "2026-13-01T00:00:00Z",
          "2026-02-30T00:00:00Z",
          "2026-01-01T24:00:00Z",
          "2026-01-01T00:00:00",
          "2026-01-01",
          "+999999999-12-31T23:59:59Z",
          "-999999999-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "0000-01-01T00:00:00Z",
          "1970-01-01T00:00:00Z",
          "2026-01-01T00:00:00+14:00",
          "2026-01-01T00:00:00.1234567890123Z",
          "now");

  public static final List<String> URLS =
      List.of(
          "http://",
          "https://",
          "http://[::1]/",
          "http://[::ffff:127.0.0.1]/",
          "http://0x7f000001/",
          "http://2130706433/",
          "http://017700000001/",
          "http://127.1/",
          "http://0.0.0.0/",
          "http://169.254.169.254/latest/meta-data/",
          "http://[fd00:ec2::254]/",
          "http://224.0.0.1/",
          "file:///etc/passwd",
          "gopher://example.com/",
          "ftp://example.com/",
          "javascript:alert(1)",
          "http://a b/",
          "http://exa mple.com/",
          "http://例え.テスト/",
          "http://user:pw@example.com/",
          "http://example.com:99999/",
          "http://example.com:-1/",
          "http://[::1/",
          "//example.com/",
          "example.com",
          "http://example.com/" + "a".repeat(9000),
          "http://example.com/\r\nHost: evil",
          "http://%00/");

  public static final List<String> HEADER_NAMES =
      List.of(
          "X-Ok",
          "",
          " ",
          "Bad Name",
          "X-A\r\nX-B",
          "X-😀",
          "Host",
          "Content-Length",
          "Transfer-Encoding",
          "Connection",
          "Idempotency-Key",
          "X-Punctual-Run-Id",
          "webhook-signature",
          "Authorization",
          ":authority",
          "X-" + "n".repeat(300));

  public static final List<String> HEADER_VALUES =
      List.of(
          "ok", "a\r\nX-Injected: yes", "a\nb", "a\u0000b", "***", "\u007f", "ü", "x".repeat(5000));

  private final Random random;

  public Hostile(long seed) {
    this.random = new Random(seed);
  }

  public Random random() {
    return random;
  }

  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  public <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  /** A hostile string: a listed one, a random unicode one, or a huge one. */
  public String string() {
    return switch (random.nextInt(6)) {
      case 0, 1, 2 -> pick(STRINGS);
      case 3 -> randomUnicode(1 + random.nextInt(40));
      case 4 -> "x".repeat(1 + random.nextInt(70_000));
      default -> pick(STRINGS) + randomUnicode(5) + pick(STRINGS);
    };
  }

  public String randomUnicode(int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int cp =
          switch (random.nextInt(4)) {
            case 0 -> random.nextInt(0x20); // control characters
            case 1 -> 0x20 + random.nextInt(0x5f);
            case 2 -> 0xa0 + random.nextInt(0xd7ff - 0xa0);
            default -> 0x10000 + random.nextInt(0x10ffff - 0x10000);
          };
      out.appendCodePoint(cp);
    }
    return out.toString();
  }

  /** A hostile JSON value of any type. */
  public JsonNode value() {
    return switch (random.nextInt(12)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(random.nextBoolean());
      case 2 -> F.numberNode(random.nextLong());
      case 3 -> F.numberNode(new BigInteger("9".repeat(1 + random.nextInt(400))).negate());
      case 4 -> F.numberNode(random.nextDouble() * Math.pow(10, random.nextInt(300)));
      case 5 -> F.numberNode(new BigDecimal("1e" + (random.nextInt(2000) - 1000)));
      case 6 -> deep(1 + random.nextInt(480)); // deeper is sent as raw text (malformedBody)
      case 7 -> {
        ArrayNode array = F.arrayNode();
        for (int i = random.nextInt(5); i > 0; i--) {
          array.add(string());
        }
        yield array;
      }
      case 8 -> {
        ObjectNode object = F.objectNode();
        object.put(string(), string());
        yield object;
      }
      default -> F.stringNode(string());
    };
  }

  /** Arrays nested {@code depth} deep: past the parser's nesting limit at the high end. */
  public JsonNode deep(int depth) {
    JsonNode node = F.numberNode(1);
    for (int i = 0; i < depth; i++) {
      ArrayNode wrapper = F.arrayNode();
      wrapper.add(node);
      node = wrapper;
    }
    return node;
  }

  /** Text that is not JSON, or JSON of the wrong shape for a request body. */
  public String malformedBody() {
    return pick(
        List.of(
            "",
            "{",
            "}",
            "[]",
            "null",
            "42",
            "\"text\"",
            "{\"name\":}",
            "{\"name\":\"a\",}",
            "{\"name\":\"a\" \"x\":1}",
            "{'name':'a'}",
            "{\"name\":\"a\"}{\"name\":\"b\"}",
            "{\"name\":\"\\ud800\"}",
            "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
            "\u0000\u0001\u0002",
            "{\"name\":\"a\",\"name\":\"b\"}",
            "{\"schedule\":{\"cron\":\"* * * * *\",\"cron\":\"0 0 * * *\"}}",
            randomUnicode(100)));
  }

  /** A valid job body of one of the three schedule kinds, every field set. */
  public ObjectNode validJob(String name) {
    ObjectNode job = F.objectNode();
    job.put("name", name);
    job.put("description", "fuzz");
    ObjectNode schedule = job.putObject("schedule");
    switch (nextInt(3)) {
      case 0 -> schedule.put("cron", "*/5 * * * *").put("timezone", "Europe/Berlin");
      case 1 -> schedule.put("interval", "PT1H").put("startAt", "2030-01-01T00:00:00Z");
      default -> schedule.put("at", "2030-01-01T00:00:00Z");
    }
    ObjectNode target = job.putObject("target");
    target.put("url", "https://example.com/hook").put("method", "POST");
    target.putObject("headers").put("X-Ok", "1");
    target.put("body", "{}").put("timeout", "PT10S");
    job.putObject("retry")
        .put("maxAttempts", 3)
        .put("initialBackoff", "PT1S")
        .put("maxBackoff", "PT1M")
        .put("multiplier", 2.0);
    job.put("overlap", "SKIP").put("misfire", "FIRE_ONCE").put("enabled", true);
    job.putObject("labels").put("team", "a");
    return job;
  }

  private static final List<String> FIELDS =
      List.of(
          "name",
          "description",
          "schedule",
          "schedule.cron",
          "schedule.timezone",
          "schedule.interval",
          "schedule.startAt",
          "schedule.at",
          "schedule.notBefore",
          "schedule.notAfter",
          "target",
          "target.url",
          "target.method",
          "target.headers",
          "target.headers.*",
          "target.body",
          "target.timeout",
          "target.type",
          "retry",
          "retry.maxAttempts",
          "retry.initialBackoff",
          "retry.maxBackoff",
          "retry.multiplier",
          "overlap",
          "misfire",
          "enabled",
          "labels",
          "labels.*",
          "pauseAfterFailures",
          "maxRuns",
          "notificationUrl",
          "id",
          "version",
          "unknownField");

  /** A valid job with one to three fields replaced by hostile values (or removed). */
  public ObjectNode mutatedJob() {
    ObjectNode job = validJob("fuzz-" + nextInt(1_000_000));
    for (int n = 1 + nextInt(3); n > 0; n--) {
      mutate(job, pick(FIELDS));
    }
    return job;
  }

  /** A merge patch of one or two hostile fields. */
  public ObjectNode mutatedPatch() {
    ObjectNode patch = F.objectNode();
    for (int n = 1 + nextInt(2); n > 0; n--) {
      mutate(patch, pick(FIELDS));
    }
    return patch;
  }

  /** Sets the field at the dotted {@code path} ({@code *}: a hostile name) to a hostile value. */
  public void mutate(ObjectNode root, String path) {
    String[] parts = path.split("\\.");
    ObjectNode parent = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = parent.get(parts[i]);
      parent = child instanceof ObjectNode o ? o : parent.putObject(parts[i]);
    }
    String leaf = parts[parts.length - 1];
    if (leaf.equals("*")) {
      boolean header = path.startsWith("target");
      leaf = header && nextInt(2) == 0 ? pick(Hostile.HEADER_NAMES) : string();
      parent.set(
          leaf, header && nextInt(2) == 0 ? F.stringNode(pick(Hostile.HEADER_VALUES)) : value());
      return;
    }
    if (nextInt(10) == 0) {
      parent.remove(leaf);
      return;
    }
    parent.set(leaf, nextInt(2) == 0 ? domainValue(leaf) : value());
  }

  private JsonNode domainValue(String field) {
    return F.stringNode(
        switch (field) {
          case "cron" -> pick(Hostile.CRONS);
          case "timezone" -> pick(Hostile.ZONES);
          case "interval", "timeout", "initialBackoff", "maxBackoff" -> pick(Hostile.DURATIONS);
          case "startAt", "at", "notBefore", "notAfter" -> pick(Hostile.INSTANTS);
          case "url" -> pick(Hostile.URLS);
          case "method" -> pick(List.of("GET", "get", "TRACE", "CONNECT", "FOO", "POST ", ""));
          case "overlap" -> pick(List.of("SKIP", "ALLOW", "skip", "QUEUE", ""));
          case "misfire" -> pick(List.of("FIRE_ONCE", "SKIP", "FIRE_ALL", "fire_all", "X"));
          default -> string();
        });
  }
}
