package dev.punctual.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punctual.schedule.CronExpression;
import dev.punctual.schedule.CronSchedule;
import dev.punctual.schedule.IntervalSchedule;
import dev.punctual.schedule.OnceSchedule;
import dev.punctual.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefinitionCodecTest {
  private static final Instant T = Instant.parse("2026-03-29T01:30:00Z");

  @Test
  void everyScheduleKindComesBackAsWritten() {
    for (Schedule s :
        new Schedule[] {
          new CronSchedule(
              CronExpression.parse("0 9 * * MON-FRI"),
              ZoneId.of("Europe/Berlin"),
              new Schedule.Bounds(T, T.plusSeconds(86_400))),
          new IntervalSchedule(Duration.ofMinutes(5), T, Schedule.Bounds.NONE),
          new OnceSchedule(T, new Schedule.Bounds(null, T))
        }) {
      Schedule back = DefinitionCodec.decodeSchedule(DefinitionCodec.encode(s).toString());
      assertThat(DefinitionCodec.encode(back)).isEqualTo(DefinitionCodec.encode(s));
      assertThat(back.preview(T.minusSeconds(1), 5)).isEqualTo(s.preview(T.minusSeconds(1), 5));
    }
  }

  @Test
  void theStoredShapesAreTheOnesTheApiHasAlwaysShown() {
    assertThat(
            DefinitionCodec.encode(
                    new HttpTarget(
                        "PUT", "https://x.test/a", Map.of("X-A", "1"), "{}", Duration.ofSeconds(5)))
                .toString())
        .isEqualTo(
            "{\"type\":\"http\",\"method\":\"PUT\",\"url\":\"https://x.test/a\","
                + "\"headers\":{\"X-A\":\"1\"},\"body\":\"{}\",\"timeout\":\"PT5S\"}");
    assertThat(DefinitionCodec.encode(RetryPolicy.DEFAULT).toString())
        .isEqualTo(
            "{\"maxAttempts\":3,\"initialBackoff\":\"PT1S\",\"maxBackoff\":\"PT5M\","
                + "\"multiplier\":2.0}");
    assertThat(
            DefinitionCodec.decodeTarget(
                "{\"type\":\"http\",\"method\":\"POST\",\"url\":\"http://h\",\"headers\":{},"
                    + "\"body\":null,\"timeout\":\"PT10S\"}"))
        .isEqualTo(new HttpTarget("POST", "http://h", Map.of(), null, Duration.ofSeconds(10)));
  }

  @Test
  void anUnreadableValueIsAnErrorNamingThePartNeverADefault() {
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"cron\":\"* * * * *\",\"timezone\":\"Mars/Base\"}"),
        "schedule:",
        "Mars/Base");
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"cron\":\"61 * * * *\"}"), "schedule:", "61");
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"cron\":\"* * * * *\",\"at\":\"x\"}"),
        "schedule:",
        "exactly one");
    assertUnreadable(() -> DefinitionCodec.decodeSchedule("[1]"), "schedule:", "not a JSON object");
    assertUnreadable(() -> DefinitionCodec.decodeSchedule("{\"at\":42}"), "schedule:", "at");
    assertUnreadable(
        () -> DefinitionCodec.decodeTarget("{\"type\":\"http\"}"), "target:", "url is missing");
    assertUnreadable(
        () -> DefinitionCodec.decodeTarget("{\"type\":\"smtp\",\"url\":\"x\"}"),
        "target:",
        "unknown type 'smtp'");
    assertUnreadable(
        () -> DefinitionCodec.decodeTarget("{\"url\":\"http://h\",\"timeout\":\"soon\"}"),
        "target:",
        "soon");
    assertUnreadable(
        () -> DefinitionCodec.decodeRetry("{\"maxAttempts\":\"three\"}"), "retry:", "maxAttempts");
    assertUnreadable(() -> DefinitionCodec.decodeRetry("{not json"), "retry:", "");
    assertUnreadable(
        () -> DefinitionCodec.decodeEnum("misfire", Misfire.class, "FIRE_LATEST"),
        "misfire:",
        "FIRE_LATEST");
    assertUnreadable(() -> DefinitionCodec.decodeSchedule(null), "schedule:", "missing");
  }

  @Test
  void aScheduleIsReadFieldByFieldAsItsJsonSays() {
    // The schedule is read with a streaming parser (ScheduleFields); these are the cases where a
    // JSON tree and a token stream could disagree, pinned to what the tree reader did.
    Instant at = Instant.parse("2026-03-29T01:30:00.25Z");
    assertThat(
            DefinitionCodec.decodeSchedule(
                """
                {"x": {"at": "1999-01-01T00:00:00Z", "y": [1, {"z": null}]},
                 "at": "2026-03-29T01:30:00.25Z", "notAfter": null, "w": [{"cron": 1}]}"""))
        .as("other fields skipped, nested ones included; a null bound is no bound")
        .isEqualTo(new OnceSchedule(at, Schedule.Bounds.NONE));
    assertThat(
            DefinitionCodec.decodeSchedule(
                "{\"at\":\"1999-01-01T00:00:00Z\",\"at\":\"2026-03-29T01:30:00.25Z\"}"))
        .as("a repeated field keeps its last value")
        .isEqualTo(new OnceSchedule(at, Schedule.Bounds.NONE));
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"cron\":null,\"at\":\"2026-01-01T00:00:00Z\"}"),
        "schedule:",
        "exactly one");
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"interval\":null}"),
        "schedule:",
        "interval is missing");
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"at\":{\"t\":\"2026-01-01T00:00:00Z\"}}"),
        "schedule:",
        "at is not a string");
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"at\":\"2026-01-01T00:00:00Z\",\"notBefore\":7}"),
        "schedule:",
        "notBefore is not a string");
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("{\"at\":\"2026-02-30T00:00:00Z\"}"),
        "schedule:",
        "2026-02-30T00:00:00Z' is not an ISO-8601 instant");
    assertUnreadable(() -> DefinitionCodec.decodeSchedule("{\"at\":"), "schedule:", "");
    assertUnreadable(
        () -> DefinitionCodec.decodeSchedule("\"x\""), "schedule:", "not a JSON object");
    assertUnreadable(() -> DefinitionCodec.decodeSchedule(""), "schedule:", "not a JSON object");
  }

  @Test
  void aTargetOrRetryPolicyDecodedBeforeIsTakenFromTheMemoAndAnUnreadableOneNever() {
    String target =
        "{\"type\":\"http\",\"method\":\"POST\",\"url\":\"http://memo.test/hook\","
            + "\"headers\":{\"A\":\"b\"},\"timeout\":\"PT7S\"}";
    Target first = DefinitionCodec.decodeTarget(target);
    // Texts come from the database as new strings: equal, never the same instance.
    assertThat(DefinitionCodec.decodeTarget(new String(target))).isSameAs(first);
    String retry =
        "{\"maxAttempts\":4,\"initialBackoff\":\"PT3S\",\"maxBackoff\":\"PT9M\","
            + "\"multiplier\":3.0}";
    RetryPolicy policy = DefinitionCodec.decodeRetry(retry);
    assertThat(DefinitionCodec.decodeRetry(new String(retry))).isSameAs(policy);
    assertThat(policy)
        .isEqualTo(new RetryPolicy(4, Duration.ofSeconds(3), Duration.ofMinutes(9), 3.0));

    // A text that does not decode is refused every time, never remembered as anything.
    String broken = "{\"url\":\"http://memo.test/hook\",\"timeout\":\"later\"}";
    for (int i = 0; i < 2; i++) {
      assertUnreadable(() -> DefinitionCodec.decodeTarget(broken), "target:", "later");
    }

    // A text too long to be kept is decoded each time, to an equal value.
    String longTarget =
        "{\"url\":\"http://memo.test/hook\",\"body\":\""
            + "x".repeat(DefinitionCodec.MEMO_MAX_TEXT)
            + "\"}";
    Target decoded = DefinitionCodec.decodeTarget(longTarget);
    assertThat(DefinitionCodec.decodeTarget(longTarget)).isNotSameAs(decoded).isEqualTo(decoded);
  }

  private static void assertUnreadable(Runnable decode, String prefix, String mentions) {
    assertThatThrownBy(decode::run)
        .isInstanceOf(UnreadableDefinitionException.class)
        .hasMessageStartingWith(prefix)
        .hasMessageContaining(mentions);
  }
}
