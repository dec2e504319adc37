package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class JobApiIT extends ApiTestBase {
  private Api tenant;

  @BeforeEach
  void tenant() {
    tenant = newTenant();
  }

  private JsonNode create(Map<String, Object> body) {
    Api.Response created = tenant.post("/api/v1/jobs", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.body();
  }

  @Test
  void createShowsTheJobWithDefaultsAndItsNextRun() {
    Instant before = Instant.now();
    Api.Response created = tenant.post("/api/v1/jobs", cronJob("nightly-report"));

    assertThat(created.status()).isEqualTo(201);
    JsonNode job = created.body();
    String id = job.path("id").asString();
    assertThat(created.header("Location")).isEqualTo("/api/v1/jobs/" + id);
    assertThat(created.header("ETag")).isEqualTo("\"1\"");
    assertThat(job.path("name").asString()).isEqualTo("nightly-report");
    assertThat(job.path("state").asString()).isEqualTo("ACTIVE");
    assertThat(job.path("enabled").asBoolean()).isTrue();
    assertThat(job.path("version").asLong()).isEqualTo(1);
    assertThat(job.path("overlap").asString()).isEqualTo("SKIP");
    assertThat(job.path("misfire").asString()).isEqualTo("FIRE_ONCE");
    assertThat(job.path("target").path("type").asString()).isEqualTo("http");
    assertThat(job.path("target").path("method").asString()).isEqualTo("POST");
    assertThat(job.path("target").path("timeout").asString()).isEqualTo("PT10S");
    assertThat(job.path("retry").path("maxAttempts").asInt()).isEqualTo(3);
    assertThat(job.path("retry").path("initialBackoff").asString()).isEqualTo("PT1S");
    assertThat(job.path("retry").path("maxBackoff").asString()).isEqualTo("PT5M");
    assertThat(job.path("retry").path("multiplier").asDouble()).isEqualTo(2.0);
    assertThat(job.path("lastRun").isNull()).isTrue();
    // 09:00 Berlin on a weekday, after now.
    Instant next = Instant.parse(job.path("nextRunAt").asString());
    assertThat(next).isAfter(before);
    assertThat(next.atZone(ZoneId.of("Europe/Berlin")).getHour()).isEqualTo(9);
    assertThat(job.path("schedule").path("cron").asString()).isEqualTo("0 9 * * MON-FRI");

    Api.Response got = tenant.get("/api/v1/jobs/" + id);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.header("ETag")).isEqualTo("\"1\"");
    assertThat(got.body()).isEqualTo(job);
  }

  @Test
  void scheduleKindsArmAsTheApiSays() {
    Instant now = Instant.now();
    JsonNode interval =
        create(
            Map.of(
                "name", "every-30s",
                "schedule", Map.of("interval", "PT30S"),
                "target", Map.of("url", "http://svc.internal/tick")));
    Instant startAt = Instant.parse(interval.path("schedule").path("startAt").asString());
    assertThat(Duration.between(now, startAt).abs()).isLessThan(Duration.ofSeconds(5));
    assertThat(Instant.parse(interval.path("nextRunAt").asString()))
        .isEqualTo(startAt.plusSeconds(30));

    // Instants are kept to the microsecond, PostgreSQL's precision.
    JsonNode precise =
        create(
            Map.of(
                "name", "precise",
                "schedule", Map.of("at", "2030-01-01T00:00:00.123456789Z"),
                "target", Map.of("url", "http://svc.internal/once")));
    assertThat(precise.path("schedule").path("at").asString())
        .isEqualTo("2030-01-01T00:00:00.123456Z");
    assertThat(precise.path("nextRunAt").asString()).isEqualTo("2030-01-01T00:00:00.123456Z");

    Instant at = Instant.parse("2030-01-01T00:00:00Z");
    JsonNode once =
        create(
            Map.of(
                "name", "once",
                "schedule", Map.of("at", at.toString()),
                "target", Map.of("url", "http://svc.internal/once")));
    assertThat(once.path("nextRunAt").asString()).isEqualTo("2030-01-01T00:00:00Z");

    // A one-shot already past is still owed its run: it is due at once.
    JsonNode late =
        create(
            Map.of(
                "name", "late",
                "schedule", Map.of("at", "2020-01-01T00:00:00Z"),
                "target", Map.of("url", "http://svc.internal/once")));
    assertThat(late.path("state").asString()).isEqualTo("ACTIVE");
    assertThat(late.path("nextRunAt").asString()).isEqualTo("2020-01-01T00:00:00Z");

    // A schedule that ended before it was written is COMPLETED, with no next run.
    JsonNode ended =
        create(
            Map.of(
                "name", "ended",
                "schedule", Map.of("cron", "* * * * *", "notAfter", "2020-01-01T00:00:00Z"),
                "target", Map.of("url", "http://svc.internal/x")));
    assertThat(ended.path("state").asString()).isEqualTo("COMPLETED");
    assertThat(ended.path("nextRunAt").isNull()).isTrue();

    // notBefore in the future: the first fire is at or after it.
    JsonNode later =
        create(
            Map.of(
                "name",
                "later",
                "schedule",
                Map.of("cron", "0 * * * *", "notBefore", "2031-06-01T10:30:00Z"),
                "target",
                Map.of("url", "http://svc.internal/x")));
    assertThat(later.path("nextRunAt").asString()).isEqualTo("2031-06-01T11:00:00Z");
  }

  @Test
  void duplicateNameInOneTenantIs409ButAnotherTenantMayUseIt() {
    create(cronJob("report"));
    Api.Response again = tenant.post("/api/v1/jobs", cronJob("report"));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.contentType()).startsWith("application/problem+json");
    assertThat(newTenant().post("/api/v1/jobs", cronJob("report")).status()).isEqualTo(201);
  }

  @Test
  void listIsNewestFirstWithCursorPagination() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      ids.add(create(cronJob("job-" + i)).path("id").asString());
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Api.Response page =
          tenant.get("/api/v1/jobs?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(page.status()).isEqualTo(200);
      page.body().path("items").forEach(j -> seen.add(j.path("id").asString()));
      cursor =
          page.body().path("nextCursor").isNull()
              ? null
              : page.body().path("nextCursor").asString();
      pages++;
    } while (cursor != null);
    assertThat(pages).isEqualTo(3);
    Collections.reverse(ids);
    assertThat(seen).isEqualTo(ids);
    assertThat(tenant.get("/api/v1/jobs").body().path("items")).hasSize(7);
  }

  @Test
  void listFilters() {
    Map<String, Object> a = new HashMap<>(cronJob("billing-daily"));
    a.put("labels", Map.of("team", "billing", "tier", "gold"));
    Map<String, Object> b = new HashMap<>(cronJob("billing-weekly"));
    b.put("labels", Map.of("team", "billing"));
    b.put("enabled", false);
    Map<String, Object> c = new HashMap<>(cronJob("search-reindex"));
    c.put("labels", Map.of("team", "search"));
    create(a);
    create(b);
    create(c);

    assertThat(names("/api/v1/jobs?namePrefix=billing-"))
        .containsExactly("billing-weekly", "billing-daily");
    assertThat(names("/api/v1/jobs?enabled=false")).containsExactly("billing-weekly");
    assertThat(names("/api/v1/jobs?enabled=true"))
        .containsExactly("search-reindex", "billing-daily");
    assertThat(names("/api/v1/jobs?label=team:billing"))
        .containsExactly("billing-weekly", "billing-daily");
    assertThat(names("/api/v1/jobs?label=team:billing&label=tier:gold"))
        .containsExactly("billing-daily");
    assertThat(names("/api/v1/jobs?label=team:nobody")).isEmpty();
    // Prefixes are literal, not patterns.
    assertThat(names("/api/v1/jobs?namePrefix=%25")).isEmpty();
    assertThat(names("/api/v1/jobs?namePrefix=billing_")).isEmpty();
  }

  private List<String> names(String path) {
    Api.Response page = tenant.get(path);
    assertThat(page.status()).as(page.toString()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    page.body().path("items").forEach(j -> names.add(j.path("name").asString()));
    return names;
  }

  @Test
  void putReplacesWithOptimisticVersioning() {
    JsonNode job = create(cronJob("report"));
    String path = "/api/v1/jobs/" + job.path("id").asString();
    Map<String, Object> replacement =
        Map.of(
            "name",
            "report-v2",
            "schedule",
            Map.of("interval", "PT1H", "startAt", "2030-01-01T00:00:00Z"),
            "target",
            Map.of("url", "https://billing.example.com/v2", "method", "PUT"),
            "overlap",
            "ALLOW");

    Api.Response stale = tenant.put(path, replacement, Map.of("If-Match", "\"7\""));
    assertThat(stale.status()).isEqualTo(412);

    Api.Response replaced = tenant.put(path, replacement, Map.of("If-Match", "\"1\""));
    assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
    assertThat(replaced.header("ETag")).isEqualTo("\"2\"");
    JsonNode after = replaced.body();
    assertThat(after.path("version").asLong()).isEqualTo(2);
    assertThat(after.path("name").asString()).isEqualTo("report-v2");
    assertThat(after.path("overlap").asString()).isEqualTo("ALLOW");
    assertThat(after.path("target").path("method").asString()).isEqualTo("PUT");
    assertThat(after.path("nextRunAt").asString()).isEqualTo("2030-01-01T00:00:00Z");
    assertThat(after.path("createdAt")).isEqualTo(job.path("createdAt"));

    // The same If-Match again is stale now; without If-Match the write goes through.
    assertThat(tenant.put(path, replacement, Map.of("If-Match", "\"1\"")).status()).isEqualTo(412);
    // A GET body sent back as is (read-only fields included) is accepted and changes nothing.
    Api.Response roundTrip = tenant.put(path, after, Map.of());
    assertThat(roundTrip.status()).isEqualTo(200);
    assertThat(roundTrip.body().path("version").asLong()).isEqualTo(2);
    // PUT to a name taken by another job is a conflict.
    create(cronJob("taken"));
    Map<String, Object> clash = new HashMap<>(replacement);
    clash.put("name", "taken");
    assertThat(tenant.put(path, clash, Map.of()).status()).isEqualTo(409);
  }

  @Test
  void patchIsAJsonMergePatch() {
    Map<String, Object> body = new HashMap<>(cronJob("report"));
    body.put("description", "daily");
    body.put("labels", Map.of("team", "billing", "tier", "gold"));
    JsonNode job = create(body);
    String path = "/api/v1/jobs/" + job.path("id").asString();

    Map<String, Object> patch = new HashMap<>();
    patch.put("description", null); // removes it
    patch.put("labels", Map.of("tier", "silver"));
    patch.put("target", Map.of("timeout", "PT30S"));
    Api.Response patched = tenant.patch(path, patch, Map.of("If-Match", "\"1\""));

    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    JsonNode after = patched.body();
    assertThat(after.path("description").isNull()).isTrue();
    assertThat(after.path("labels"))
        .isEqualTo(Api.json("{\"team\":\"billing\",\"tier\":\"silver\"}"));
    assertThat(after.path("target").path("timeout").asString()).isEqualTo("PT30S");
    assertThat(after.path("target").path("url")).isEqualTo(job.path("target").path("url"));
    assertThat(after.path("schedule")).isEqualTo(job.path("schedule"));
    // The schedule did not change, so neither did the next fire time.
    assertThat(after.path("nextRunAt")).isEqualTo(job.path("nextRunAt"));
    assertThat(after.path("version").asLong()).isEqualTo(2);

    assertThat(tenant.patch(path, Map.of("overlap", "ALLOW"), Map.of("If-Match", "\"1\"")).status())
        .isEqualTo(412);
    // Switching schedule kinds: null the old field, as merge patch says.
    Map<String, Object> switchKind = new HashMap<>();
    Map<String, Object> schedule = new HashMap<>();
    schedule.put("cron", null);
    schedule.put("timezone", null);
    schedule.put("interval", "PT5M");
    switchKind.put("schedule", schedule);
    Api.Response switched = tenant.patch(path, switchKind, Map.of());
    assertThat(switched.status()).as(switched.toString()).isEqualTo(200);
    assertThat(switched.body().path("schedule").path("interval").asString()).isEqualTo("PT5M");
    // Without nulling, both kinds are present: a clear 400.
    Api.Response both =
        tenant.patch(path, Map.of("schedule", Map.of("cron", "* * * * *")), Map.of());
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.errorsFor("schedule"))
        .containsExactly("must have exactly one of cron, interval or at");
    // Merge patch needs its media type (or plain JSON); anything else is 415.
    Api.Response wrongType = tenant.patch(path, "{}", Map.of("Content-Type", "text/plain"));
    assertThat(wrongType.status()).isEqualTo(415);
    assertThat(wrongType.contentType()).startsWith("application/problem+json");
  }

  @Test
  void pauseAndResumeAreIdempotentAndResumeComputesFromNow() {
    JsonNode job =
        create(
            Map.of(
                "name", "ticker",
                "schedule", Map.of("interval", "PT1M", "startAt", "2020-01-01T00:00:00Z"),
                "target", Map.of("url", "http://svc.internal/tick")));
    String path = "/api/v1/jobs/" + job.path("id").asString();

    Api.Response paused = tenant.post(path + "/pause", null);
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.body().path("enabled").asBoolean()).isFalse();
    assertThat(paused.body().path("state").asString()).isEqualTo("PAUSED");
    assertThat(paused.body().path("nextRunAt").isNull()).isTrue();
    long version = paused.body().path("version").asLong();
    Api.Response pausedAgain = tenant.post(path + "/pause", null);
    assertThat(pausedAgain.status()).isEqualTo(200);
    assertThat(pausedAgain.body().path("version").asLong()).isEqualTo(version);

    Instant beforeResume = Instant.now();
    Api.Response resumed = tenant.post(path + "/resume", null);
    assertThat(resumed.status()).isEqualTo(200);
    assertThat(resumed.body().path("state").asString()).isEqualTo("ACTIVE");
    Instant next = Instant.parse(resumed.body().path("nextRunAt").asString());
    // The next slot after now on the minute grid of startAt, not a paused slot from the past.
    assertThat(next).isAfter(beforeResume).isBefore(beforeResume.plusSeconds(61));
    assertThat(next.getEpochSecond() % 60).isZero();
    assertThat(tenant.post(path + "/resume", null).body().path("version").asLong())
        .isEqualTo(resumed.body().path("version").asLong());
  }

  @Test
  void deleteIs204ThenTheJobIsGone() {
    String path = "/api/v1/jobs/" + create(cronJob("doomed")).path("id").asString();
    assertThat(tenant.delete(path).status()).isEqualTo(204);
    assertThat(tenant.get(path).status()).isEqualTo(404);
    assertThat(tenant.delete(path).status()).isEqualTo(404);
    assertThat(tenant.post(path + "/pause", null).status()).isEqualTo(404);
    // The name is free again.
    assertThat(tenant.post("/api/v1/jobs", cronJob("doomed")).status()).isEqualTo(201);
  }

  @Test
  void unknownAndMalformedIdsAre404() {
    assertThat(tenant.get("/api/v1/jobs/999999999").status()).isEqualTo(404);
    assertThat(tenant.get("/api/v1/jobs/abc").status()).isEqualTo(404);
    assertThat(tenant.get("/api/v1/jobs/-1").status()).isEqualTo(404);
    assertThat(tenant.get("/api/v1/jobs/99999999999999999999999").status()).isEqualTo(404);
    Api.Response missing = tenant.put("/api/v1/jobs/999999999", cronJob("x"), Map.of());
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.contentType()).startsWith("application/problem+json");
  }

  @Test
  void idempotencyKeyReplaysTheFirstAnswer() {
    Map<String, String> key = Map.of("Idempotency-Key", "create-report-1");
    Api.Response first = tenant.post("/api/v1/jobs", cronJob("report"), key);
    Api.Response second = tenant.post("/api/v1/jobs", cronJob("report"), key);
    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.header("Location")).isEqualTo(first.header("Location"));
    assertThat(tenant.get("/api/v1/jobs").body().path("items")).hasSize(1);

    Api.Response otherBody = tenant.post("/api/v1/jobs", cronJob("other"), key);
    assertThat(otherBody.status()).isEqualTo(422);
    assertThat(otherBody.contentType()).startsWith("application/problem+json");

    // Keys are per tenant: another tenant's same key is a new request.
    assertThat(newTenant().post("/api/v1/jobs", cronJob("report"), key).status()).isEqualTo(201);
  }

  @Test
  void concurrentRequestsWithOneIdempotencyKeyCreateOneJob() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Api.Response>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(
            () ->
                tenant.post("/api/v1/jobs", cronJob("raced"), Map.of("Idempotency-Key", "race-1")));
      }
      Set<String> ids = new HashSet<>();
      for (Future<Api.Response> f : pool.invokeAll(calls)) {
        Api.Response r = f.get();
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        ids.add(r.body().path("id").asString());
      }
      assertThat(ids).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
