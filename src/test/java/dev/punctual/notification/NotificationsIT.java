package dev.punctual.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.StandardWebhooks;
import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Notifications over real HTTP and PostgreSQL: each event type reaches the tenant's endpoint (or
 * the job's own), signed so that the {@code standardwebhooks} package verifies it, and is listed at
 * {@code /api/v1/events}; a failing endpoint is retried; a dead one slows neither another tenant's
 * fires nor its notifications, and is not flooded.
 */
class NotificationsIT extends ApiTestBase {
  private static final Map<String, Object> NEVER = Map.of("cron", "0 0 1 1 *");
  private static final Map<String, Object> ONE_ATTEMPT = Map.of("maxAttempts", 1);

  @Autowired private JdbcClient sql;

  private TargetServer target;
  private final List<Api> tenants = new ArrayList<>();

  @BeforeAll
  static void installTheReferencePackage() throws Exception {
    StandardWebhooks.install();
  }

  @BeforeEach
  void setUp() throws Exception {
    target = new TargetServer();
  }

  @AfterEach
  void tearDown() {
    for (Api tenant : tenants) {
      for (JsonNode job : tenant.get("/api/v1/jobs?limit=500").body().path("items")) {
        tenant.delete("/api/v1/jobs/" + job.path("id").asString());
      }
    }
    target.close();
  }

  private NewTenant tenant(String endpointPath) {
    NewTenant created = newTenantWithSecret();
    tenants.add(created.api());
    if (endpointPath != null) {
      Api.Response set =
          created
              .api()
              .put(
                  "/api/v1/notifications/endpoint",
                  Map.of("url", target.url(endpointPath)),
                  Map.of());
      assertThat(set.status()).as(set.toString()).isEqualTo(200);
    }
    return created;
  }

  @Test
  void everyEventTypeArrivesSignedAndIsListed() throws Exception {
    NewTenant created = tenant("/ok/events");
    Api api = created.api();

    // run.failed, and job.paused after one failure in a row.
    String failing =
        createJob(
            api,
            "failing",
            NEVER,
            "/status/500",
            Map.of("retry", ONE_ATTEMPT, "pauseAfterFailures", 1));
    String run =
        api.post("/api/v1/jobs/" + failing + "/trigger", null).body().path("id").asString();

    // job.broken: a row made unreadable in the database.
    String broken = createJob(api, "broken", NEVER, "/ok", Map.of());
    sql.sql(
            """
            update jobs set schedule = '{"cron":"* * * * * *","timezone":"Mars/Olympus_Mons"}',
                next_fire_at = now(), lease_owner = null, lease_until = null,
                fencing_token = fencing_token + 1
            where id = :id
            """)
        .param("id", Long.parseLong(broken))
        .update();

    // job.misfired: a job ten minutes late (no node could fire it), FIRE_ONCE folds the missed
    // fire times into one catch-up run.
    String late =
        createJob(
            api,
            "late",
            Map.of("interval", "PT1M", "startAt", Instant.now().minusSeconds(3600).toString()),
            "/ok",
            Map.of());
    sql.sql(
            """
            update jobs set next_fire_at = now() - interval '10 minutes', lease_owner = null,
                lease_until = null, fencing_token = fencing_token + 1
            where id = :id
            """)
        .param("id", Long.parseLong(late))
        .update();

    Map<String, TargetServer.Delivery> byType = new HashMap<>();
    await("one event of each type at the endpoint")
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              for (TargetServer.Delivery d : events("/ok/events")) {
                byType.putIfAbsent(Api.json(d.body()).path("type").asString(), d);
              }
              return byType.keySet().containsAll(NotificationController.TYPES);
            });

    for (TargetServer.Delivery d : byType.values()) {
      assertThat(StandardWebhooks.verify(created.signingSecret(), d, d.body()))
          .as(d.body())
          .isEqualTo("verified");
      assertThat(d.header("webhook-id")).startsWith("evt_");
      assertThat(d.header("Content-Type")).startsWith("application/json");
      JsonNode payload = Api.json(d.body());
      assertThat(Instant.parse(payload.path("timestamp").asString()))
          .isBefore(Instant.now().plusSeconds(1));
    }
    JsonNode failed = Api.json(byType.get("run.failed").body()).path("data");
    assertThat(failed.path("jobId").asString()).isEqualTo(failing);
    assertThat(failed.path("runId").asString()).isEqualTo(run);
    assertThat(failed.path("httpStatus").asInt()).isEqualTo(500);
    assertThat(failed.path("attempts").asInt()).isEqualTo(1);
    assertThat(failed.path("jobName").asString()).isEqualTo("failing");
    JsonNode paused = Api.json(byType.get("job.paused").body()).path("data");
    assertThat(paused.path("jobId").asString()).isEqualTo(failing);
    assertThat(paused.path("reason").asString()).startsWith("1 runs in a row failed");
    JsonNode brokenData = Api.json(byType.get("job.broken").body()).path("data");
    assertThat(brokenData.path("jobId").asString()).isEqualTo(broken);
    assertThat(brokenData.path("reason").asString()).contains("Mars/Olympus_Mons");
    JsonNode misfired = Api.json(byType.get("job.misfired").body()).path("data");
    assertThat(misfired.path("jobId").asString()).isEqualTo(late);
    assertThat(misfired.path("policy").asString()).isEqualTo("FIRE_ONCE");
    assertThat(misfired.path("missed").asInt()).isBetween(10, 12);
    assertThat(misfired.path("caughtUp").asInt()).isEqualTo(1);

    // Listed, with where and how each was sent.
    await("listed as delivered")
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                list(api.get("/api/v1/events").body().path("items")).stream()
                    .allMatch(
                        e -> e.path("delivery").path("status").asString().equals("DELIVERED")));
    List<JsonNode> listed = list(api.get("/api/v1/events").body().path("items"));
    assertThat(listed).hasSize(4);
    assertThat(listed)
        .allSatisfy(
            e -> {
              assertThat(e.path("delivery").path("url").asString())
                  .isEqualTo(target.url("/ok/events"));
              assertThat(e.path("delivery").path("attempts").asInt()).isEqualTo(1);
            });
    List<JsonNode> onlyPaused =
        list(api.get("/api/v1/events?type=job.paused").body().path("items"));
    assertThat(onlyPaused).hasSize(1);
    assertThat(onlyPaused.get(0).path("id").asString())
        .isEqualTo(byType.get("job.paused").header("webhook-id"));
    assertThat(list(api.get("/api/v1/events?jobId=" + late).body().path("items"))).hasSize(1);
    // Another tenant sees none of them.
    assertThat(list(newTenant().get("/api/v1/events").body().path("items"))).isEmpty();
  }

  @Test
  void aJobsOwnEndpointOverridesTheTenantsAndWithoutAnyEventsAreListedOnly() {
    Api withEndpoint = tenant("/ok/tenant").api();
    String job =
        createJob(
            withEndpoint,
            "own",
            NEVER,
            "/status/500",
            Map.of("retry", ONE_ATTEMPT, "notificationUrl", target.url("/ok/job")));
    withEndpoint.post("/api/v1/jobs/" + job + "/trigger", null);
    await("the job's endpoint got its event")
        .atMost(Duration.ofSeconds(10))
        .until(() -> events("/ok/job").size() == 1);
    assertThat(events("/ok/tenant")).isEmpty();

    Api without = tenant(null).api();
    String quiet = createJob(without, "quiet", NEVER, "/status/500", Map.of("retry", ONE_ATTEMPT));
    without.post("/api/v1/jobs/" + quiet + "/trigger", null);
    await("the event listed, not sent")
        .atMost(Duration.ofSeconds(10))
        .until(() -> list(without.get("/api/v1/events").body().path("items")).size() == 1);
    JsonNode event = without.get("/api/v1/events").body().path("items").get(0);
    assertThat(event.path("delivery").path("status").asString()).isEqualTo("NOT_SENT");
    assertThat(event.path("delivery").path("url").isNull()).isTrue();
  }

  @Test
  void aFailingEndpointIsRetried() {
    Api api = tenant("/fail-then-ok/1").api();
    String job = createJob(api, "once-more", NEVER, "/status/500", Map.of("retry", ONE_ATTEMPT));
    api.post("/api/v1/jobs/" + job + "/trigger", null);
    await("delivered on the second attempt, 5 s after the first")
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              JsonNode items = api.get("/api/v1/events").body().path("items");
              return items.size() == 1
                  && items.get(0).path("delivery").path("status").asString().equals("DELIVERED");
            });
    JsonNode delivery = api.get("/api/v1/events").body().path("items").get(0).path("delivery");
    assertThat(delivery.path("attempts").asInt()).isEqualTo(2);
    List<TargetServer.Delivery> tries = events("/fail-then-ok/1");
    assertThat(tries).hasSize(2);
    assertThat(tries.get(0).header("webhook-id")).isEqualTo(tries.get(1).header("webhook-id"));
    assertThat(Duration.between(tries.get(0).receivedAt(), tries.get(1).receivedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(4500));
  }

  @Test
  void aDeadEndpointSlowsNeitherAnotherTenantsFiresNorItsNotificationsAndIsNotFlooded() {
    // Tenant A's endpoint never answers in time (every request waits past the 5 s timeout), and
    // A's jobs fail often: 30 events pile up for it.
    Api a = tenant("/sleep/30000").api();
    for (int i = 0; i < 10; i++) {
      String job = createJob(a, "dead-" + i, NEVER, "/status/500", Map.of("retry", ONE_ATTEMPT));
      for (int k = 0; k < 3; k++) {
        a.post("/api/v1/jobs/" + job + "/trigger", null);
      }
    }
    await("A's events recorded")
        .atMost(Duration.ofSeconds(10))
        .until(() -> list(a.get("/api/v1/events?limit=100").body().path("items")).size() == 30);

    // Tenant B, meanwhile: a job every second fires on time, and B's notification arrives at once.
    Api b = tenant("/ok/b").api();
    Instant started = Instant.now();
    String ticking = createJob(b, "ticking", Map.of("interval", "PT1S"), "/ok/tick", Map.of());
    String failing = createJob(b, "b-fails", NEVER, "/status/500", Map.of("retry", ONE_ATTEMPT));
    b.post("/api/v1/jobs/" + failing + "/trigger", null);
    await("B's notification, while A's endpoint hangs")
        .atMost(Duration.ofSeconds(3))
        .until(() -> events("/ok/b").size() == 1);
    await("five of B's fires")
        .atMost(Duration.ofSeconds(10))
        .until(() -> runs(b, ticking).size() >= 5);
    for (JsonNode run : runs(b, ticking)) {
      Duration lag =
          Duration.between(
              Instant.parse(run.path("scheduledFor").asString()),
              Instant.parse(run.path("createdAt").asString()));
      assertThat(lag).as(run.toString()).isLessThan(Duration.ofMillis(500));
    }

    // A's dead endpoint got a few requests, at most two at a time, then is left alone for a while
    // (its events wait, their attempts unspent): not one request per event.
    long elapsed = Duration.between(started, Instant.now()).toSeconds();
    int requests = events("/sleep/30000").size();
    assertThat(requests).as("requests to the dead endpoint in %d s", elapsed).isBetween(1, 6);
  }

  @Test
  void badEndpointsAndFiltersAreRefusedNamingTheField() {
    Api api = tenant(null).api();
    assertThat(api.get("/api/v1/notifications/endpoint").status()).isEqualTo(404);
    assertBadRequest(
        api.put("/api/v1/notifications/endpoint", Map.of("url", "ftp://x"), Map.of()), "url");
    assertBadRequest(
        api.put(
            "/api/v1/notifications/endpoint", Map.of("url", "http://169.254.169.254/"), Map.of()),
        "url");
    assertBadRequest(
        api.put(
            "/api/v1/notifications/endpoint", Map.of("url", "https://u:p@example.com/"), Map.of()),
        "url");
    assertBadRequest(api.put("/api/v1/notifications/endpoint", Map.of(), Map.of()), "url");
    assertBadRequest(
        api.put(
            "/api/v1/notifications/endpoint",
            Map.of("url", "https://example.com/", "x", 1),
            Map.of()),
        "x");
    assertBadRequest(api.get("/api/v1/events?type=run.exploded"), "type");
    assertBadRequest(api.get("/api/v1/events?jobId=abc"), "jobId");
    assertBadRequest(api.get("/api/v1/events?cursor=zz%20"), "cursor");
    assertBadRequest(
        api.post(
            "/api/v1/jobs",
            Map.of(
                "name",
                "x",
                "schedule",
                NEVER,
                "target",
                Map.of("url", "https://example.com/"),
                "notificationUrl",
                "gopher://x")),
        "notificationUrl");

    Api.Response set =
        api.put(
            "/api/v1/notifications/endpoint",
            Map.of("url", "https://hooks.example.com/punctual"),
            Map.of());
    assertThat(set.body().path("url").asString()).isEqualTo("https://hooks.example.com/punctual");
    assertThat(api.get("/api/v1/notifications/endpoint").body().path("url").asString())
        .isEqualTo("https://hooks.example.com/punctual");
    assertThat(api.delete("/api/v1/notifications/endpoint").status()).isEqualTo(204);
    assertThat(api.get("/api/v1/notifications/endpoint").status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/events").status()).isEqualTo(403);
  }

  private static void assertBadRequest(Api.Response response, String field) {
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(response.errorsFor(field)).as(response.toString()).isNotEmpty();
  }

  private List<TargetServer.Delivery> events(String path) {
    return target.deliveries(d -> d.path().equals(path));
  }

  private String createJob(
      Api api, String name, Map<String, Object> schedule, String path, Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>();
    body.put("name", name);
    body.put("schedule", schedule);
    body.put("target", Map.of("url", target.url(path)));
    body.putAll(extra);
    Api.Response created = api.post("/api/v1/jobs", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.body().path("id").asString();
  }

  private static List<JsonNode> runs(Api api, String job) {
    return list(api.get("/api/v1/jobs/" + job + "/runs?limit=500").body().path("items"));
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }
}
