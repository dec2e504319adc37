package dev.punctual.engine;

import dev.punctual.delivery.HttpTarget;
import dev.punctual.schedule.CronExpression;
import dev.punctual.schedule.CronSchedule;
import dev.punctual.schedule.IntervalSchedule;
import dev.punctual.schedule.OnceSchedule;
import dev.punctual.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the stored, normalized JSON of a job's schedule, target and retry (written by the Jobs API
 * after validation) into what the engine runs. Stored values were valid when written, so a failure
 * here is a bug or a hand-edited row, and surfaces as an error of the claim.
 */
final class JobDefinitions {
  private final JsonMapper json;

  JobDefinitions(JsonMapper json) {
    this.json = json;
  }

  Schedule schedule(String text) {
    JsonNode s = json.readTree(text);
    Schedule.Bounds bounds =
        new Schedule.Bounds(instant(s.get("notBefore")), instant(s.get("notAfter")));
    if (s.has("cron")) {
      return new CronSchedule(
          CronExpression.parse(s.get("cron").asString()),
          ZoneId.of(s.path("timezone").asString("UTC")),
          bounds);
    }
    if (s.has("interval")) {
      return new IntervalSchedule(
          Duration.parse(s.get("interval").asString()), instant(s.get("startAt")), bounds);
    }
    return new OnceSchedule(instant(s.get("at")), bounds);
  }

  HttpTarget target(String text) {
    JsonNode t = json.readTree(text);
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> h : t.path("headers").properties()) {
      headers.put(h.getKey(), h.getValue().asString());
    }
    JsonNode body = t.get("body");
    return new HttpTarget(
        t.path("method").asString("POST"),
        t.get("url").asString(),
        headers,
        body == null || body.isNull() ? null : body.asString(),
        Duration.parse(t.path("timeout").asString("PT10S")));
  }

  RetryPolicy retry(String text) {
    JsonNode r = json.readTree(text);
    return new RetryPolicy(
        r.path("maxAttempts").asInt(3),
        Duration.parse(r.path("initialBackoff").asString("PT1S")),
        Duration.parse(r.path("maxBackoff").asString("PT5M")),
        r.path("multiplier").asDouble(2.0));
  }

  /** The tenant's current signing secrets, as the claim queries return them (space-separated). */
  static java.util.List<String> secrets(String spaceSeparated) {
    return spaceSeparated == null || spaceSeparated.isBlank()
        ? java.util.List.of()
        : java.util.List.of(spaceSeparated.split(" "));
  }

  private static Instant instant(JsonNode node) {
    return node == null || node.isNull() ? null : Instant.parse(node.asString());
  }
}
