package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.db.DatabaseUrl;
import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Backfill over the API: one run per fire time of a past range, with the preview's DST rule, never
 * a second run for a fire time (two nodes racing included), and bad ranges refused by field.
 */
class BackfillIT extends ApiTestBase {
  /** 02:30 in Berlin: the clocks skip it on 2026-03-29 and pass it twice on 2026-10-25. */
  private static final Map<String, Object> BERLIN_0230 =
      Map.of("cron", "30 2 * * *", "timezone", "Europe/Berlin");

  private static final String FROM = "2026-03-27T00:00:00Z";
  private static final String TO = "2026-10-27T00:00:00Z";

  @Autowired private DatabaseUrl databaseUrl;

  private TargetServer target;
  private Api tenant;

  @BeforeEach
  void setUp() throws Exception {
    target = new TargetServer();
    tenant = newTenant();
  }

  @AfterEach
  void tearDown() {
    for (JsonNode job : tenant.get("/api/v1/jobs?limit=500").body().path("items")) {
      tenant.delete("/api/v1/jobs/" + job.path("id").asString());
    }
    target.close();
  }

  @Test
  void aBackfillAcrossBothDstChangesMakesOneRunPerPreviewedFireTimeEvenWithTwoNodesRacing()
      throws Exception {
    String job = createJob("nightly", BERLIN_0230);
    List<String> expected = previewed(BERLIN_0230, FROM, TO);
    assertThat(expected).hasSize(214); // one a day, the skipped and the doubled 02:30 included
    // The DST rule of previews: the skipped 02:30 fires at the jump (03:00 CEST), the doubled one
    // on its first pass only.
    assertThat(expected)
        .contains("2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-10-25T00:30:00Z")
        .doesNotContain("2026-10-25T01:30:00Z");

    Api.Response dry = backfill(tenant, job, FROM, TO, true);
    assertThat(dry.status()).as(dry.toString()).isEqualTo(200);
    assertThat(dry.body().path("created").asInt()).isZero();
    assertThat(fireTimes(dry)).isEqualTo(expected);
    assertThat(runs(job)).isEmpty();

    // Two nodes on one database, each backfilling the same range three times at once.
    Path dir = Files.createTempDirectory("punctual-backfill-b");
    try (Node b =
        Node.start(
            Map.of(
                "punctual.database-url",
                databaseUrl.jdbcUrl(),
                "punctual.admin-key",
                ADMIN_KEY,
                "punctual.data-dir",
                dir.toString(),
                "punctual.egress-allow",
                "127.0.0.0/8",
                "punctual.rate-limit",
                "0"))) {
      Api onB = b.api(tenant.key());
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<Api.Response>> racing = new ArrayList<>();
      for (Api node : List.of(tenant, onB, tenant, onB, tenant, onB)) {
        racing.add(
            CompletableFuture.supplyAsync(
                () -> {
                  awaitLatch(start);
                  return backfill(node.onFreshConnection(), job, FROM, TO, false);
                }));
      }
      start.countDown();
      int created = 0;
      for (CompletableFuture<Api.Response> r : racing) {
        Api.Response response = r.join();
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        assertThat(fireTimes(response)).isEqualTo(expected);
        created += response.body().path("created").asInt();
      }
      assertThat(created).isEqualTo(expected.size());
    }
    List<JsonNode> runs = runs(job);
    assertThat(runs)
        .allSatisfy(r -> assertThat(r.path("trigger").asString()).isEqualTo("BACKFILL"));
    List<String> times =
        runs.stream().map(r -> r.path("scheduledFor").asString()).sorted().toList();
    assertThat(times).isEqualTo(expected);

    // Delivered, each once (the target sees the fire time it stands for).
    await("every backfilled run delivered")
        .atMost(Duration.ofSeconds(30))
        .until(() -> target.deliveries(d -> d.path().equals("/ok")).size() >= expected.size());
    Set<String> delivered = new HashSet<>();
    target.deliveries(d -> d.path().equals("/ok")).forEach(d -> delivered.add(d.runId()));
    assertThat(delivered).hasSize(expected.size());

    // Again: every fire time has its run already.
    Api.Response again = backfill(tenant, job, FROM, TO, false);
    assertThat(again.body().path("created").asInt()).isZero();
    assertThat(again.body().path("items"))
        .allSatisfy(i -> assertThat(i.path("existing").asBoolean()).isTrue());
  }

  @Test
  void aFireTimeTheScheduleRecordedIsNotBackfilledAgain() {
    Instant created = Instant.now();
    String job = createJob("every-second", Map.of("interval", "PT1S"));
    await("three scheduled runs").atMost(Duration.ofSeconds(10)).until(() -> runs(job).size() >= 3);
    Api.Response filled =
        backfill(tenant, job, created.minusSeconds(5).toString(), Instant.now().toString(), false);
    assertThat(filled.status()).as(filled.toString()).isEqualTo(202);
    // Interval fire times start at the job's creation: none before it to backfill; those the
    // schedule fired already are existing.
    assertThat(filled.body().path("items"))
        .anySatisfy(i -> assertThat(i.path("existing").asBoolean()).isTrue());
    List<String> times = runs(job).stream().map(r -> r.path("scheduledFor").asString()).toList();
    assertThat(new HashSet<>(times)).hasSameSizeAs(times); // no fire time twice
  }

  @Test
  void badRangesAreRefusedNamingTheField() {
    String job = createJob("refused", BERLIN_0230);
    assertBadRequest(
        backfill(tenant, job, "2023-01-01T00:00:00Z", "2026-01-01T00:00:00Z", true), "to");
    assertBadRequest(
        backfill(tenant, job, FROM, Instant.now().plusSeconds(3600).toString(), true), "to");
    assertBadRequest(backfill(tenant, job, TO, FROM, true), "to");
    assertBadRequest(tenant.post("/api/v1/jobs/" + job + "/backfill", Map.of("to", TO)), "from");
    assertBadRequest(
        tenant.post("/api/v1/jobs/" + job + "/backfill", Map.of("from", FROM, "to", TO, "x", 1)),
        "x");
    assertBadRequest(
        tenant.post("/api/v1/jobs/" + job + "/backfill", Map.of("from", "yesterday", "to", TO)),
        "from");
    assertThat(backfill(newTenant(), job, FROM, TO, true).status()).isEqualTo(404);
    assertThat(backfill(tenant, "123456789012", FROM, TO, true).status()).isEqualTo(404);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertBadRequest(Api.Response response, String field) {
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(response.errorsFor(field)).as(response.toString()).isNotEmpty();
  }

  private static Api.Response backfill(Api api, String job, String from, String to, boolean dry) {
    return api.post(
        "/api/v1/jobs/" + job + "/backfill", Map.of("from", from, "to", to, "dryRun", dry));
  }

  private static List<String> fireTimes(Api.Response backfill) {
    List<String> times = new ArrayList<>();
    backfill.body().path("items").forEach(i -> times.add(i.path("scheduledFor").asString()));
    return times;
  }

  private List<String> previewed(Map<String, Object> schedule, String from, String to) {
    List<String> times = new ArrayList<>();
    String after = from;
    while (true) {
      Api.Response preview =
          tenant.post(
              "/api/v1/schedules/preview",
              Map.of("schedule", schedule, "after", after, "count", 100));
      for (JsonNode t : preview.body().path("fireTimes")) {
        if (Instant.parse(t.asString()).isAfter(Instant.parse(to))) {
          return times;
        }
        times.add(t.asString());
        after = t.asString();
      }
    }
  }

  private String createJob(String name, Map<String, Object> schedule) {
    Api.Response created =
        tenant.post(
            "/api/v1/jobs",
            Map.of("name", name, "schedule", schedule, "target", Map.of("url", target.url("/ok"))));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.body().path("id").asString();
  }

  private List<JsonNode> runs(String job) {
    List<JsonNode> runs = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page =
          tenant
              .get(
                  "/api/v1/jobs/"
                      + job
                      + "/runs?limit=500"
                      + (cursor == null ? "" : "&cursor=" + cursor))
              .body();
      page.path("items").forEach(runs::add);
      cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asString();
    } while (cursor != null);
    return runs;
  }
}
