package dev.punctual.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Holds the running service to its OpenAPI document ({@code openapi/punctual-api.yaml}): a
 * catalogue of real requests, successes and failures, reaches every operation of the document, and
 * every answer must be documented: its status among the operation's responses, its media type the
 * documented one, its body valid against the documented JSON Schema (networknt's validator, JSON
 * Schema 2020-12 as OpenAPI 3.1 uses), {@code Location} and {@code ETag} present where documented.
 * A new status, field or shape in the code fails here until the document says it.
 */
class ApiContractIT extends ApiTestBase {
  private static final String DOCUMENT = "openapi/punctual-api.yaml";
  private static JsonNode document;
  private static final JsonSchemaFactory SCHEMAS =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private final List<String> violations = new ArrayList<>();
  private final Set<String> exercised = new TreeSet<>();
  private final Map<String, Set<Integer>> statuses = new LinkedHashMap<>();

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = ApiContractIT.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
      document = YAMLMapper.builder().build().readTree(in);
    }
  }

  @Test
  void theSchemaCheckItselfRefusesWhatTheDocumentDoesNotAllow() {
    assertThat(errors("/components/schemas/Job", "{}")).isNotEmpty();
    assertThat(errors("/components/schemas/Schedule", "{\"cron\": \"* * * * *\"}")).isEmpty();
    assertThat(errors("/components/schemas/Schedule", "{\"cron\": \"x\", \"at\": \"y\"}"))
        .isNotEmpty();
    assertThat(errors("/components/schemas/Run", "{\"id\": 1}")).isNotEmpty();
    assertThat(errors("/components/schemas/RunStatus", "\"LATE\"")).isNotEmpty();
  }

  /** The JSON examples of docs/api.md are what the document allows (so they cannot drift). */
  @Test
  void theExamplesOfTheApiReferenceFitTheDocument() throws IOException {
    String reference = Files.readString(Path.of("docs/api.md"));
    Matcher block = Pattern.compile("(?s)```json\\n(.*?)```").matcher(reference);
    // The first key found in an example names its schema (the more specific keys first).
    Map<String, String> schemaOf = new LinkedHashMap<>();
    schemaOf.put("\"runsWaiting\"", "/components/schemas/Overview");
    schemaOf.put("\"forwardedFor\"", "/components/schemas/AuditEntry");
    schemaOf.put("\"delivery\"", "/components/schemas/EventPage");
    schemaOf.put("\"timestamp\"", "/components/schemas/EventPayload");
    schemaOf.put("\"retryAt\"", "/components/schemas/AttemptList");
    schemaOf.put("\"skipped\"", "/components/schemas/BulkReplay");
    schemaOf.put("\"existing\"", "/components/schemas/Backfill");
    schemaOf.put("\"jobId\"", "/components/schemas/Run");
    schemaOf.put("\"nextRunAt\"", "/components/schemas/Job");
    schemaOf.put("\"signingSecret\"", "/components/schemas/TenantCreated");
    int checked = 0;
    while (block.find()) {
      String example = block.group(1);
      for (Map.Entry<String, String> kind : schemaOf.entrySet()) {
        if (example.contains(kind.getKey())) {
          assertThat(errors(kind.getValue(), example)).as(example).isEmpty();
          checked++;
          break;
        }
      }
    }
    assertThat(checked).as("examples checked").isEqualTo(10);
  }

  private static Set<ValidationMessage> errors(String pointer, String json) {
    return SCHEMAS
        .getSchema(SchemaLocation.of("classpath:" + DOCUMENT + "#" + pointer))
        .validate(json, InputFormat.JSON);
  }

  @Test
  void everyAnswerOfTheServiceIsDocumentedAndEveryOperationIsReached() {
    // Tenants and keys.
    String name = "contract" + System.nanoTime();
    Api.Response tenant = call(admin, "POST", "/api/v1/tenants", Map.of("name", name));
    Api api = admin.as(tenant.body().path("apiKey").path("key").asString());
    call(admin, "POST", "/api/v1/tenants", Map.of("name", name)); // 409
    call(admin, "POST", "/api/v1/tenants", Map.of("name", "Not A Name")); // 400
    call(admin, "POST", "/api/v1/tenants", "name: x", Map.of("Content-Type", "application/yaml"));
    call(api, "POST", "/api/v1/tenants", Map.of("name", "x" + name)); // 403
    call(admin, "GET", "/api/v1/tenants", null);
    call(anonymous, "GET", "/api/v1/tenants", null); // 401
    call(admin, "GET", "/api/v1/tenants", null, Map.of("Accept", "application/xml")); // 406
    Api.Response key = call(admin, "POST", "/api/v1/tenants/" + name + "/keys", null);
    call(admin, "POST", "/api/v1/tenants/nobody-" + name + "/keys", null); // 404
    call(
        admin,
        "DELETE",
        "/api/v1/tenants/" + name + "/keys/" + key.body().path("id").asString(),
        null);
    call(admin, "DELETE", "/api/v1/tenants/" + name + "/keys/0000000000000000", null); // 404
    call(admin, "POST", "/api/v1/tenants/" + name + "/signing-secrets", null);
    call(admin, "POST", "/api/v1/tenants/nobody-" + name + "/signing-secrets", null); // 404
    call(api, "GET", "/api/v1/whoami", null);
    call(admin, "GET", "/api/v1/whoami", null);
    call(anonymous, "GET", "/api/v1/whoami", null); // 401

    // Jobs of every schedule kind, every optional field.
    Api.Response cron =
        call(
            api,
            "POST",
            "/api/v1/jobs",
            Map.of(
                "name",
                "cron",
                "description",
                "every weekday",
                "schedule",
                Map.of(
                    "cron", "0 9 * * MON-FRI",
                    "timezone", "Europe/Berlin",
                    "notBefore", "2026-01-01T00:00:00Z",
                    "notAfter", "2099-01-01T00:00:00Z"),
                "target",
                Map.of(
                    "type", "http",
                    "method", "PUT",
                    "url", "https://example.com/hook",
                    "headers", Map.of("Authorization", "Bearer s3cret", "X-Team", "a"),
                    "body", "{\"a\":1}",
                    "timeout", "PT5S"),
                "retry",
                Map.of(
                    "maxAttempts",
                    5,
                    "initialBackoff",
                    "PT2S",
                    "maxBackoff",
                    "PT1M",
                    "multiplier",
                    3),
                "overlap",
                "ALLOW",
                "misfire",
                "FIRE_ALL",
                "labels",
                Map.of("team", "a")),
            Map.of("Idempotency-Key", "contract-1"));
    String id = cron.body().path("id").asString();
    call(
        api,
        "POST",
        "/api/v1/jobs",
        job("interval", Map.of("interval", "PT1H", "startAt", "2026-01-01T00:00:00Z"), true));
    call(api, "POST", "/api/v1/jobs", job("once", Map.of("at", "2099-01-01T00:00:00Z"), false));
    call(
        api,
        "POST",
        "/api/v1/jobs",
        job("done", Map.of("interval", "PT1M", "notAfter", "2020-01-01T00:00:00Z"), true));
    // Broker targets: each kind's answer fits its schema.
    for (Map<String, Object> target :
        List.<Map<String, Object>>of(
            Map.of(
                "type", "amqp",
                "url", "amqp://user:pass@rabbit.example.com:5672/vhost",
                "exchange", "",
                "routingKey", "q",
                "body", "{}"),
            Map.of(
                "type", "redis",
                "url", "redis://:pass@redis.example.com:6379/0",
                "stream", "s",
                "maxLen", 1000),
            Map.of(
                "type", "nats", "url", "nats://token@nats.example.com:4222", "subject", "a.b"))) {
      call(
          api,
          "POST",
          "/api/v1/jobs",
          Map.of(
              "name",
              "broker-" + target.get("type"),
              "schedule",
              Map.of("cron", "0 0 1 1 *"),
              "target",
              target));
    }
    call(api, "POST", "/api/v1/jobs", cronJob("cron")); // 409
    call(api, "POST", "/api/v1/jobs", Map.of("name", "x")); // 400
    call(api, "POST", "/api/v1/jobs", cronJob("other"), Map.of("Idempotency-Key", "contract-1"));
    call(api, "POST", "/api/v1/jobs", "x".repeat(300_000), Map.of()); // 413
    call(api, "POST", "/api/v1/jobs", "<job/>", Map.of("Content-Type", "application/xml"));
    call(admin, "POST", "/api/v1/jobs", cronJob("admin")); // 403
    call(api, "GET", "/api/v1/jobs", null);
    call(api, "GET", "/api/v1/jobs?limit=1&label=team:a&enabled=true&state=ACTIVE", null);
    call(api, "GET", "/api/v1/jobs?namePrefix=on&state=PAUSED", null);
    call(api, "GET", "/api/v1/jobs?limit=0", null); // 400
    call(api, "GET", "/api/v1/jobs?cursor=%ff", null); // 400
    call(api, "GET", "/api/v1/jobs/" + id, null);
    call(api, "GET", "/api/v1/jobs/999999999", null); // 404
    Api.Response current = call(api, "GET", "/api/v1/jobs/" + id, null);
    call(api, "PUT", "/api/v1/jobs/" + id, current.raw().body(), Map.of("If-Match", "\"1\""));
    call(api, "PUT", "/api/v1/jobs/" + id, cronJob("cron"), Map.of("If-Match", "\"999\""));
    call(api, "PUT", "/api/v1/jobs/" + id, Map.of("name", "cron"), Map.of()); // 400
    call(
        api,
        "PATCH",
        "/api/v1/jobs/" + id,
        Map.of("description", "changed"),
        Map.of("Content-Type", "application/merge-patch+json"));
    call(
        api,
        "PATCH",
        "/api/v1/jobs/" + id,
        Map.of("description", "again"),
        Map.of("If-Match", "\"1\"")); // 412
    call(api, "PATCH", "/api/v1/jobs/" + id, "a: b", Map.of("Content-Type", "application/yaml"));
    call(api, "POST", "/api/v1/jobs/" + id + "/pause", null);
    call(api, "POST", "/api/v1/jobs/" + id + "/resume", null);
    call(api, "POST", "/api/v1/jobs/999999999/pause", null); // 404
    Api.Response run = call(api, "POST", "/api/v1/jobs/" + id + "/trigger", null);
    call(api, "POST", "/api/v1/jobs/999999999/trigger", null); // 404
    call(api, "GET", "/api/v1/jobs/" + id + "/runs", null);
    call(api, "GET", "/api/v1/jobs/" + id + "/runs?status=PENDING&limit=5", null);
    call(api, "GET", "/api/v1/jobs/" + id + "/runs?status=LATE", null); // 400
    call(api, "GET", "/api/v1/jobs/999999999/runs", null); // 404
    call(api, "GET", "/api/v1/runs/" + run.body().path("id").asString(), null);
    call(api, "GET", "/api/v1/runs/999999999", null); // 404

    // The failure workflow.
    String runId = run.body().path("id").asString();
    call(api, "GET", "/api/v1/runs/" + runId + "/attempts", null);
    call(api, "GET", "/api/v1/runs/999999999/attempts", null); // 404
    call(api, "GET", "/api/v1/runs?status=FAILED&since=2026-01-01T00:00:00Z&jobId=" + id, null);
    call(api, "GET", "/api/v1/runs?status=RUNNING", null); // 400
    call(api, "POST", "/api/v1/runs/" + runId + "/replay", null); // 202, or 409 in progress
    call(api, "POST", "/api/v1/runs/999999999/replay", null); // 404
    call(api, "POST", "/api/v1/runs/replay", Map.of("filter", Map.of("jobId", id), "dryRun", true));
    call(api, "POST", "/api/v1/runs/replay", Map.of("max", 5));
    call(api, "POST", "/api/v1/runs/replay", Map.of("max", 5000)); // 400
    Map<String, Object> range =
        Map.of("from", "2026-11-02T00:00:00Z", "to", "2026-11-07T00:00:00Z", "dryRun", true);
    call(api, "POST", "/api/v1/jobs/" + id + "/backfill", range);
    call(
        api,
        "POST",
        "/api/v1/jobs/" + id + "/backfill",
        Map.of("from", "2026-11-02T00:00:00Z", "to", "2026-11-07T00:00:00Z"));
    call(api, "POST", "/api/v1/jobs/" + id + "/backfill", Map.of("from", "x")); // 400
    call(api, "POST", "/api/v1/jobs/999999999/backfill", range); // 404
    call(
        api,
        "PATCH",
        "/api/v1/jobs/" + id,
        Map.of(
            "pauseAfterFailures",
            5,
            "maxRuns",
            100,
            "notificationUrl",
            "https://ops.example.com/punctual"),
        Map.of("Content-Type", "application/merge-patch+json"));

    // Notifications.
    call(api, "GET", "/api/v1/notifications/endpoint", null); // 404
    call(
        api,
        "PUT",
        "/api/v1/notifications/endpoint",
        Map.of("url", "https://ops.example.com/punctual"),
        Map.of());
    call(api, "PUT", "/api/v1/notifications/endpoint", Map.of("url", "ftp://x"), Map.of()); // 400
    call(api, "GET", "/api/v1/notifications/endpoint", null);
    call(api, "GET", "/api/v1/events", null);
    call(api, "GET", "/api/v1/events?type=run.failed&jobId=" + id + "&limit=5", null);
    call(api, "GET", "/api/v1/events?type=nope", null); // 400
    call(api, "DELETE", "/api/v1/notifications/endpoint", null);

    // Audit.
    call(api, "GET", "/api/v1/audit?limit=2", null);
    call(admin, "GET", "/api/v1/audit?tenant=" + name + "&action=job.create", null);
    call(api, "GET", "/api/v1/audit?action=nope", null); // 400

    // Preview.
    call(
        api,
        "POST",
        "/api/v1/schedules/preview",
        Map.of(
            "schedule",
            Map.of("cron", "30 2 * * *", "timezone", "Europe/Berlin"),
            "after",
            "2026-03-28T00:00:00Z",
            "count",
            3));
    call(
        admin,
        "POST",
        "/api/v1/schedules/preview",
        Map.of("schedule", Map.of("at", "2099-01-01T00:00:00Z")));
    call(
        api, "POST", "/api/v1/schedules/preview", Map.of("schedule", Map.of("cron", "61 * * * *")));
    call(api, "POST", "/api/v1/schedules/preview", "a: b", Map.of("Content-Type", "text/yaml"));

    // The overview, the strip of outcomes, the nodes.
    call(api, "GET", "/api/v1/overview", null);
    call(admin, "GET", "/api/v1/overview", null); // 403
    call(api, "GET", "/api/v1/jobs/recent-outcomes?id=" + id + "&limit=5", null);
    call(api, "GET", "/api/v1/jobs/recent-outcomes", null); // 400
    call(admin, "GET", "/api/v1/nodes", null);
    call(api, "GET", "/api/v1/nodes", null); // 403

    call(api, "DELETE", "/api/v1/jobs/" + id, null);
    call(api, "DELETE", "/api/v1/jobs/" + id, null); // 404

    System.out.println("contract: statuses seen per operation " + statuses);
    assertThat(violations).as("answers the OpenAPI document does not describe").isEmpty();
    assertThat(exercised).as("operations reached").isEqualTo(operations());
  }

  /** A job with the smallest target, to show a schedule kind and a state. */
  private static Map<String, Object> job(
      String name, Map<String, String> schedule, boolean enabled) {
    return Map.of(
        "name", name,
        "enabled", enabled,
        "schedule", schedule,
        "target", Map.of("url", "https://example.com/"));
  }

  private Api.Response call(Api api, String method, String path, Object body) {
    return call(api, method, path, body, Map.of());
  }

  private Api.Response call(
      Api api, String method, String path, Object body, Map<String, String> headers) {
    Api.Response answer = api.send(method, path, body, headers);
    check(method, path, answer);
    return answer;
  }

  private void check(String method, String path, Api.Response answer) {
    String where = method + " " + path + " -> " + answer.status();
    String template = templateOf(path.replaceFirst("\\?.*", ""));
    if (template == null) {
      violations.add(where + ": no documented path");
      return;
    }
    String pointer = "/paths/" + escape(template) + "/" + method.toLowerCase();
    JsonNode operation = document.at(pointer);
    if (operation.isMissingNode()) {
      violations.add(where + ": no documented operation");
      return;
    }
    exercised.add(method + " " + template);
    statuses.computeIfAbsent(method + " " + template, k -> new TreeSet<>()).add(answer.status());
    String responsePointer = pointer + "/responses/" + answer.status();
    JsonNode response = document.at(responsePointer);
    if (response.isMissingNode()) {
      violations.add(where + ": status not documented");
      return;
    }
    if (response.has("$ref")) {
      responsePointer = response.path("$ref").asString().substring(1);
      response = document.at(responsePointer);
    }
    for (String header : List.of("Location", "ETag")) {
      if (response.path("headers").has(header) && answer.header(header) == null) {
        violations.add(where + ": documented header " + header + " missing");
      }
    }
    JsonNode content = response.path("content");
    String body = answer.raw().body();
    if (content.isMissingNode() || content.isEmpty()) {
      if (!body.isEmpty()) {
        violations.add(where + ": a body where none is documented");
      }
      return;
    }
    String type = answer.contentType() == null ? "" : answer.contentType().replaceFirst(";.*", "");
    if (!content.has(type)) {
      violations.add(where + ": media type " + type + " not documented " + content.propertyNames());
      return;
    }
    String schemaPointer = responsePointer + "/content/" + escape(type) + "/schema";
    Set<ValidationMessage> errors = errors(schemaPointer, body);
    if (!errors.isEmpty()) {
      violations.add(where + ": " + errors + " in " + abbreviate(body));
    }
  }

  private static String templateOf(String path) {
    for (String template : document.path("paths").propertyNames()) {
      String regex = "\\Q" + template.replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q") + "\\E";
      if (Pattern.matches(regex, path)) {
        return template;
      }
    }
    return null;
  }

  private static Set<String> operations() {
    Set<String> all = new TreeSet<>();
    for (String template : document.path("paths").propertyNames()) {
      for (String method : document.path("paths").path(template).propertyNames()) {
        if (Set.of("get", "post", "put", "patch", "delete").contains(method)) {
          all.add(method.toUpperCase() + " " + template);
        }
      }
    }
    return all;
  }

  private static String escape(String pointerToken) {
    return pointerToken.replace("~", "~0").replace("/", "~1");
  }

  private static String abbreviate(String text) {
    return text.length() > 400 ? text.substring(0, 400) + "…" : text;
  }
}
