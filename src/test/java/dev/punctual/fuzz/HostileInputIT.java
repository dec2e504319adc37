package dev.punctual.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.Hostile;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Throws hostile input at every endpoint: mutated job bodies (every field, wrong types, values past
 * every range, injected and unicode strings), malformed JSON, hostile ids, query parameters, media
 * types, idempotency keys and API keys. Every answer must be a success or a 4xx problem+json, never
 * a 5xx; a bystander tenant's job and the fuzzing tenant's own job must not change through any
 * refused request.
 *
 * <p>Seeded: {@code -Dpunctual.fuzz.seed} (fixed by default, so a failure replays) and {@code
 * -Dpunctual.fuzz.requests} (3,000 in CI; the {@code fuzz} Maven profile sends 50,000). The report
 * (requests and answers per endpoint) goes to the output and to {@code target/fuzz-report.txt}.
 */
class HostileInputIT extends ApiTestBase {
  private static final long SEED = Long.getLong("punctual.fuzz.seed", 20261127L);
  private static final int REQUESTS = Integer.getInteger("punctual.fuzz.requests", 3000);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Hostile h;
  private Api fuzzer;
  private String ownJobId;
  private long ownVersion;
  private String bystanderJobId;
  private final Map<String, Map<Integer, Integer>> report = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();
  private int unsendable;
  private int closed;

  @Test
  void noHostileInputGetsA5xxOrChangesWhatIsStored() throws Exception {
    h = new Hostile(SEED);
    fuzzer = newTenant();
    Api bystander = newTenant();
    Api.Response canary = bystander.post("/api/v1/jobs", cronJob("canary"));
    bystanderJobId = canary.body().path("id").asString();
    String canaryBefore = bystander.get("/api/v1/jobs/" + bystanderJobId).raw().body();
    Api.Response own = fuzzer.post("/api/v1/jobs", h.validJob("own"));
    ownJobId = own.body().path("id").asString();
    ownVersion = own.body().path("version").asLong();

    List<Map.Entry<String, Supplier<Api.Response>>> endpoints = endpoints();
    for (int i = 0; i < REQUESTS; i++) {
      Map.Entry<String, Supplier<Api.Response>> endpoint = h.pick(endpoints);
      Api.Response answer;
      try {
        answer = endpoint.getValue().get();
      } catch (IllegalArgumentException e) {
        unsendable++; // the HTTP client refuses to send it (a CR/LF in a header, say)
        continue;
      } catch (UncheckedIOException e) {
        // Tomcat answers a request with headers over 8 KB at once and closes the connection; a
        // client still sending its body may see the close before the answer. Fine, as long as
        // the service is still there.
        closed++;
        report.computeIfAbsent(endpoint.getKey(), k -> new TreeMap<>()).merge(0, 1, Integer::sum);
        assertThat(fuzzer.get("/api/v1/whoami").status()).isEqualTo(200);
        continue;
      }
      check(endpoint.getKey(), answer);
      if (i % 100 == 0) {
        checkOwnJobUnchanged();
      }
    }
    checkOwnJobUnchanged();

    assertThat(bystander.get("/api/v1/jobs/" + bystanderJobId).raw().body())
        .as("the bystander's job")
        .isEqualTo(canaryBefore);
    assertThat(bystander.get("/api/v1/jobs/" + bystanderJobId + "/runs").body().path("items"))
        .as("the bystander's runs")
        .isEmpty();
    String text = report();
    System.out.println(text);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/fuzz-report.txt"), text);
    assertThat(failures).as("answers that broke the contract").isEmpty();
  }

  private void check(String endpoint, Api.Response answer) {
    report.computeIfAbsent(endpoint, k -> new TreeMap<>()).merge(answer.status(), 1, Integer::sum);
    String what = endpoint + " -> " + abbreviate(answer.toString());
    if (answer.status() >= 500) {
      failures.add(what);
    } else if (answer.status() >= 400) {
      if (answer.contentType() == null
          || !answer.contentType().startsWith("application/problem+json")
          || answer.body().path("status").asInt() != answer.status()
          || answer.body().path("title").asString().isEmpty()) {
        failures.add("not a problem+json: " + what);
      }
      if (answer.status() == 400 && answer.body().path("errors").isArray()) {
        for (JsonNode error : answer.body().path("errors")) {
          if (error.path("field").asString().isEmpty()) {
            failures.add("an error without its field: " + what);
          }
        }
      }
    } else if (answer.body().path("id").asString().equals(ownJobId)
        && answer.body().path("version").isNumber()) { // a job, not a run with the same number
      ownVersion = answer.body().path("version").asLong(); // a write that succeeded (PUT, pause...)
    }
  }

  private void checkOwnJobUnchanged() {
    long version = fuzzer.get("/api/v1/jobs/" + ownJobId).body().path("version").asLong();
    if (version != ownVersion) {
      failures.add(
          "own job changed by a refused request: version " + version + " != " + ownVersion);
      ownVersion = version;
    }
  }

  private String report() {
    StringBuilder out = new StringBuilder();
    out.append("Hostile input: seed ")
        .append(SEED)
        .append(", ")
        .append(REQUESTS)
        .append(" requests (")
        .append(unsendable)
        .append(" refused by the HTTP client itself, ")
        .append(closed)
        .append(" closed before an answer was read: status 0 below)\n");
    report.forEach(
        (endpoint, statuses) -> {
          int total = statuses.values().stream().mapToInt(Integer::intValue).sum();
          out.append(String.format("  %-40s %5d  %s%n", endpoint, total, statuses));
        });
    return out.toString();
  }

  private List<Map.Entry<String, Supplier<Api.Response>>> endpoints() {
    List<Map.Entry<String, Supplier<Api.Response>>> list = new ArrayList<>();
    add(list, 4, "POST /jobs", () -> fuzzer.post("/api/v1/jobs", h.mutatedJob(), createHeaders()));
    add(list, 1, "POST /jobs (malformed)", () -> fuzzer.post("/api/v1/jobs", h.malformedBody()));
    add(list, 1, "POST /jobs (media type)", this::wrongMediaType);
    add(list, 1, "GET own job (Accept)", this::hostileAccept);
    add(list, 1, "GET (bad percent-encoding)", this::badPercentEncoding);
    add(list, 1, "POST|PATCH (large non-JSON)", this::largeNonJson);
    add(list, 3, "PUT own job", () -> fuzzer.put(jobPath(ownJobId), h.mutatedJob(), Map.of()));
    add(
        list,
        3,
        "PATCH own job",
        () -> fuzzer.patch(jobPath(ownJobId), h.mutatedPatch(), Map.of()));
    add(list, 1, "PUT/PATCH own (malformed)", this::malformedWrite);
    add(
        list,
        2,
        "POST /schedules/preview",
        () -> fuzzer.post("/api/v1/schedules/preview", preview()));
    add(list, 2, "GET /jobs?query", () -> fuzzer.get("/api/v1/jobs?" + listQuery()));
    add(list, 2, "GET|DELETE /jobs/{id}", this::byId);
    add(list, 2, "POST /jobs/{id}/pause|resume|trigger", this::action);
    add(list, 1, "PUT|PATCH other's job", this::writeOthers);
    add(list, 1, "GET /jobs/{id}/runs?query", this::runs);
    add(list, 1, "GET /runs/{id}", () -> fuzzer.get("/api/v1/runs/" + segment(id())));
    add(
        list,
        1,
        "GET /runs/{id}/attempts",
        () -> fuzzer.get("/api/v1/runs/" + segment(id()) + "/attempts"));
    add(list, 1, "GET /runs?query (dead letters)", () -> fuzzer.get("/api/v1/runs?" + runsQuery()));
    add(list, 1, "POST /runs/{id}/replay", this::replayOne);
    add(list, 1, "POST /runs/replay", () -> fuzzer.post("/api/v1/runs/replay", bulkReplay()));
    add(list, 1, "POST /jobs/{id}/backfill", this::backfill);
    add(list, 1, "PUT /notifications/endpoint", this::notificationEndpoint);
    add(list, 1, "GET /events?query", () -> fuzzer.get("/api/v1/events?" + eventsQuery()));
    add(list, 1, "admin: tenants, keys, secrets", this::adminCall);
    add(list, 1, "any: hostile API key", this::hostileKey);
    return list;
  }

  private static void add(
      List<Map.Entry<String, Supplier<Api.Response>>> list,
      int weight,
      String name,
      Supplier<Api.Response> call) {
    for (int i = 0; i < weight; i++) {
      list.add(Map.entry(name, call));
    }
  }

  // --- bodies

  private ObjectNode preview() {
    ObjectNode body = F.objectNode();
    body.set("schedule", h.validJob("p").get("schedule"));
    body.put("after", "2026-03-29T00:00:00Z");
    body.put("count", 10);
    for (int n = 1 + h.nextInt(2); n > 0; n--) {
      String field =
          h.pick(
              List.of(
                  "schedule.cron",
                  "schedule.timezone",
                  "schedule.interval",
                  "schedule.at",
                  "schedule.notAfter",
                  "after",
                  "count",
                  "schedule",
                  "extra"));
      h.mutate(body, field);
    }
    if (h.nextInt(4) == 0) {
      body.set("count", h.value());
    }
    return body;
  }

  private Map<String, String> createHeaders() {
    return h.nextInt(4) == 0 ? Map.of("Idempotency-Key", h.string()) : Map.of();
  }

  private Api.Response wrongMediaType() {
    String type =
        h.pick(
            List.of(
                "text/plain",
                "application/xml",
                "application/json; charset=latin1",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "application/merge-patch+json",
                "application/problem+json",
                "application/x-ndjson",
                "application/yaml",
                "application/x-yaml",
                "text/yaml",
                "application/cbor",
                "application/x-jackson-smile",
                "application/x-protobuf",
                "application/octet-stream",
                "text/html",
                "application/json; charset=utf-16",
                "*/*",
                "garbage"));
    return fuzzer.send(
        "POST", "/api/v1/jobs", h.validJob("mt").toString(), Map.of("Content-Type", type));
  }

  /** Every media type Spring could negotiate, and some it cannot read. */
  private Api.Response hostileAccept() {
    String accept =
        h.pick(
            List.of(
                "application/yaml",
                "application/xml",
                "text/xml",
                "application/cbor",
                "application/x-jackson-smile",
                "text/plain",
                "text/html",
                "application/octet-stream",
                "application/problem+json",
                "application/*+json",
                "application/json;q=0",
                "application/json;q=x",
                ";;",
                "*/*",
                "application/yaml, application/json;q=0.1",
                h.string()));
    return fuzzer.send("GET", jobPath(ownJobId), null, Map.of("Accept", accept));
  }

  /** Escapes that are well formed but not UTF-8 (the HTTP client refuses malformed ones). */
  private Api.Response badPercentEncoding() {
    String bad = h.pick(List.of("%ff", "%c3%28", "%c0%af", "%ed%a0%80", "%f8%88%80%80%80", "%80"));
    String name = h.pick(List.of("cursor", "limit", "label", "namePrefix", "state", "x" + bad));
    String path = h.nextInt(2) == 0 ? "/api/v1/jobs" : jobPath(ownJobId) + "/runs";
    return fuzzer.get(path + "?" + name + "=" + (h.nextInt(3) == 0 ? "a" + bad : bad));
  }

  /** Bodies over the size limit (256 KB) that are not JSON at all. */
  private Api.Response largeNonJson() {
    String unit = h.pick(List.of("a", "{", "<x>", "\u0000", "name: x\n"));
    String body = unit.repeat((300_000 + h.nextInt(100_000)) / unit.length());
    String type = h.pick(List.of("application/json", "text/plain", "application/yaml"));
    return h.nextInt(2) == 0
        ? fuzzer.send("POST", "/api/v1/jobs", body, Map.of("Content-Type", type))
        : fuzzer.send(
            "PATCH",
            jobPath(ownJobId),
            body,
            Map.of("Content-Type", "application/merge-patch+json"));
  }

  private Api.Response malformedWrite() {
    String body = h.malformedBody();
    return h.nextInt(2) == 0
        ? fuzzer.put(jobPath(ownJobId), body, Map.of())
        : fuzzer.patch(jobPath(ownJobId), body, Map.of("If-Match", h.string()));
  }

  // --- ids and queries

  private String id() {
    return switch (h.nextInt(4)) {
      case 0 -> bystanderJobId;
      case 1 -> ownJobId;
      default ->
          h.pick(
              List.of(
                  "0",
                  "-1",
                  "abc",
                  "1.5",
                  "1e3",
                  "99999999999999999999",
                  "9223372036854775807",
                  "9223372036854775808",
                  " 1",
                  "1;drop table jobs",
                  "..",
                  "%2e%2e",
                  "\u0000",
                  h.string()));
    };
  }

  private String notOwnId() {
    String id = id();
    return id.equals(ownJobId) ? bystanderJobId : id;
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String jobPath(String id) {
    return "/api/v1/jobs/" + segment(id);
  }

  private String listQuery() {
    List<String> params = new ArrayList<>();
    for (int n = h.nextInt(4); n >= 0; n--) {
      String name = h.pick(List.of("limit", "cursor", "enabled", "namePrefix", "label", "x"));
      String value =
          switch (name) {
            case "limit" -> h.pick(List.of("0", "-1", "501", "1e2", "abc", "99999999999999999999"));
            case "label" -> h.pick(List.of("team:a", ":", "team", "a:b:c", "", h.string()));
            default -> h.string();
          };
      params.add(name + "=" + segment(value.length() > 2000 ? value.substring(0, 2000) : value));
    }
    return String.join("&", params);
  }

  private String runsQuery() {
    return query(List.of("status", "since", "until", "jobId", "limit", "cursor", "x"));
  }

  private String eventsQuery() {
    return query(List.of("type", "jobId", "limit", "cursor", "x"));
  }

  /** A query string of hostile values for a few of {@code names}. */
  private String query(List<String> names) {
    List<String> params = new ArrayList<>();
    for (int n = h.nextInt(4); n >= 0; n--) {
      String name = h.pick(names);
      String value =
          switch (name) {
            case "status" -> h.pick(List.of("FAILED", "RUNNING", "failed", "", h.string()));
            case "since", "until" ->
                h.pick(
                    List.of(
                        "2026-11-30T00:00:00Z",
                        "+99999-01-01T00:00:00Z",
                        "2026-13-01T00:00:00Z",
                        "0",
                        h.string()));
            case "type" -> h.pick(List.of("run.failed", "job.paused", "RUN.FAILED", h.string()));
            case "limit" -> h.pick(List.of("0", "-1", "501", "1e2", "99999999999999999999"));
            case "jobId" -> h.pick(List.of(ownJobId, bystanderJobId, "-1", "0x10", h.string()));
            default -> h.string();
          };
      params.add(name + "=" + segment(value.length() > 2000 ? value.substring(0, 2000) : value));
    }
    return String.join("&", params);
  }

  private Api.Response replayOne() {
    return fuzzer.post(
        "/api/v1/runs/" + segment(id()) + "/replay", h.nextInt(3) == 0 ? h.malformedBody() : null);
  }

  private ObjectNode bulkReplay() {
    ObjectNode body = F.objectNode();
    body.putObject("filter").put("status", "FAILED").put("since", "2026-11-30T00:00:00Z");
    body.put("max", 5);
    body.put("dryRun", true);
    for (int n = 1 + h.nextInt(2); n > 0; n--) {
      h.mutate(
          body,
          h.pick(
              List.of(
                  "filter",
                  "filter.status",
                  "filter.since",
                  "filter.until",
                  "filter.jobId",
                  "max",
                  "dryRun",
                  "extra")));
    }
    return body;
  }

  private Api.Response backfill() {
    ObjectNode body = F.objectNode();
    body.put("from", "2026-11-01T00:00:00Z").put("to", "2026-11-02T00:00:00Z").put("dryRun", true);
    for (int n = 1 + h.nextInt(2); n > 0; n--) {
      h.mutate(body, h.pick(List.of("from", "to", "dryRun", "extra")));
    }
    return fuzzer.post(jobPath(id()) + "/backfill", body);
  }

  private Api.Response notificationEndpoint() {
    ObjectNode body = F.objectNode();
    body.put("url", "https://hooks.example.com/punctual");
    h.mutate(body, h.pick(List.of("url", "extra")));
    return fuzzer.put("/api/v1/notifications/endpoint", body, Map.of());
  }

  private Api.Response byId() {
    return h.nextInt(2) == 0
        ? fuzzer.get(jobPath(id()))
        : fuzzer.delete(jobPath(notOwnId())); // deleting its own job would end the PUT fuzzing
  }

  private Api.Response action() {
    String action = h.pick(List.of("pause", "resume", "trigger"));
    String id = action.equals("trigger") ? notOwnId() : id();
    return fuzzer.post(jobPath(id) + "/" + action, h.nextInt(3) == 0 ? h.malformedBody() : null);
  }

  private Api.Response writeOthers() {
    return h.nextInt(2) == 0
        ? fuzzer.put(jobPath(bystanderJobId), h.validJob("stolen"), Map.of())
        : fuzzer.patch(jobPath(bystanderJobId), Map.of("enabled", false), Map.of());
  }

  private Api.Response runs() {
    String query =
        "status="
            + segment(h.pick(List.of("SUCCEEDED", "FAILED", "succeeded", "X", "", h.string())))
            + "&limit="
            + segment(h.pick(List.of("1", "0", "-5", "501", "x")))
            + "&cursor="
            + segment(h.pick(List.of("", "abc", "-1", "%%%", h.randomUnicode(8))));
    return fuzzer.get(jobPath(id()) + "/runs?" + query);
  }

  private Api.Response adminCall() {
    String tenant = h.nextInt(2) == 0 ? h.string() : h.pick(List.of("a", "-a", "A", "a_b", "1a"));
    if (tenant.length() > 300) {
      tenant = tenant.substring(0, 300);
    }
    Api caller = h.nextInt(4) == 0 ? fuzzer : admin; // a tenant key on admin endpoints: 403
    return switch (h.nextInt(4)) {
      case 0 -> caller.post("/api/v1/tenants", Map.of("name", tenant));
      case 1 ->
          caller.post("/api/v1/tenants", h.nextInt(2) == 0 ? h.malformedBody() : h.mutatedPatch());
      case 2 -> caller.post("/api/v1/tenants/" + segment(tenant) + "/keys", null);
      default -> caller.delete("/api/v1/tenants/" + segment(tenant) + "/keys/" + segment(id()));
    };
  }

  private Api.Response hostileKey() {
    String key =
        h.pick(
            List.of(
                "",
                "pk_",
                "pk_0000000000000000_",
                "pk_zzzzzzzzzzzzzzzz_secret",
                fuzzer.key() + "x",
                fuzzer.key().substring(0, fuzzer.key().length() - 1),
                "x".repeat(10_000),
                h.randomUnicode(20)));
    return fuzzer.as(key).get(h.nextInt(2) == 0 ? "/api/v1/jobs" : "/api/v1/tenants");
  }

  private static String abbreviate(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }
}
