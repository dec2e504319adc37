package dev.punctual.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * When deliveries fail, over real HTTP and PostgreSQL: every attempt on record, dead letters and
 * their replay (one, or in bulk with a cap and a dry run), auto-pause after N failures, and a
 * target's {@code 410 Gone} ending the retries.
 */
class FailureWorkflowIT extends ApiTestBase {
  private static final Map<String, Object> NEVER = Map.of("cron", "0 0 1 1 *");
  private static final Map<String, Object> ONE_ATTEMPT = Map.of("maxAttempts", 1);

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
  void everyAttemptOfAFlakyTargetIsListedWithItsStatusAndAnswer() {
    String job =
        createJob(
            "flaky",
            NEVER,
            "/fail-then-ok/2",
            Map.of(
                "retry",
                Map.of("maxAttempts", 3, "initialBackoff", "PT0.1S", "maxBackoff", "PT0.2S")));
    String run = trigger(job);
    JsonNode done = awaitRun(run, "SUCCEEDED");
    assertThat(done.path("attempts").asInt()).isEqualTo(3);

    Api.Response attempts = tenant.get("/api/v1/runs/" + run + "/attempts");
    assertThat(attempts.status()).isEqualTo(200);
    List<JsonNode> items = list(attempts.body().path("items"));
    assertThat(items).extracting(a -> a.path("number").asInt()).containsExactly(1, 2, 3);
    assertThat(items).extracting(a -> a.path("httpStatus").asInt()).containsExactly(500, 500, 200);
    assertThat(items)
        .extracting(a -> a.path("responseSnippet").asString())
        .containsExactly("no", "no", "ok");
    assertThat(items)
        .extracting(a -> a.path("error").asString(""))
        .containsExactly("HTTP 500", "HTTP 500", "");
    assertThat(items.get(0).path("retryAt").isString()).isTrue();
    assertThat(items.get(1).path("retryAt").isString()).isTrue();
    assertThat(items.get(2).path("retryAt").isNull()).isTrue();
    Instant first = Instant.parse(items.get(0).path("startedAt").asString());
    Instant last = Instant.parse(items.get(2).path("startedAt").asString());
    assertThat(last).isAfterOrEqualTo(Instant.parse(items.get(0).path("retryAt").asString()));
    assertThat(last).isAfter(first);
    assertThat(items).allSatisfy(a -> assertThat(a.path("node").asString()).isNotBlank());
    assertThat(items).allSatisfy(a -> assertThat(a.path("durationMs").asLong()).isNotNegative());

    // Another tenant's run does not exist for this one.
    assertThat(newTenant().get("/api/v1/runs/" + run + "/attempts").status()).isEqualTo(404);
  }

  @Test
  void aTargetThatAnswersGoneEndsTheRetriesAtOnce() {
    String job = createJob("gone", NEVER, "/status/410", Map.of("retry", Map.of("maxAttempts", 5)));
    JsonNode run = awaitRun(trigger(job), "FAILED");
    assertThat(run.path("attempts").asInt()).isEqualTo(1);
    assertThat(run.path("httpStatus").asInt()).isEqualTo(410);
    assertThat(run.path("error").asString()).contains("410");
    assertThat(target.deliveries(d -> d.path().equals("/status/410"))).hasSize(1);
  }

  @Test
  void aFailedRunIsADeadLetterAndItsReplaySucceedsOnceTheTargetIsFixed() {
    String job = createJob("replayed", NEVER, "/switch/a", Map.of("retry", ONE_ATTEMPT));
    String failed = trigger(job);
    awaitRun(failed, "FAILED");

    Api.Response deadLetters = tenant.get("/api/v1/runs?status=FAILED&jobId=" + job);
    assertThat(deadLetters.status()).isEqualTo(200);
    assertThat(list(deadLetters.body().path("items")))
        .extracting(r -> r.path("id").asString(), r -> r.path("jobName").asString())
        .containsExactly(Tuple.tuple(failed, "replayed"));
    Instant future = Instant.now().plusSeconds(3600);
    assertThat(list(tenant.get("/api/v1/runs?since=" + future).body().path("items"))).isEmpty();

    // Another tenant can neither see nor replay it.
    Api other = newTenant();
    assertThat(list(other.get("/api/v1/runs").body().path("items"))).isEmpty();
    assertThat(other.post("/api/v1/runs/" + failed + "/replay", null).status()).isEqualTo(404);

    target.fix("a");
    Api.Response replay = tenant.post("/api/v1/runs/" + failed + "/replay", null);
    assertThat(replay.status()).as(replay.toString()).isEqualTo(202);
    String replayId = replay.body().path("id").asString();
    assertThat(replay.header("Location")).isEqualTo("/api/v1/runs/" + replayId);
    assertThat(replay.body().path("trigger").asString()).isEqualTo("REPLAY");
    assertThat(replay.body().path("replayOf").asString()).isEqualTo(failed);
    JsonNode original = tenant.get("/api/v1/runs/" + failed).body();
    assertThat(replay.body().path("scheduledFor")).isEqualTo(original.path("scheduledFor"));
    awaitRun(replayId, "SUCCEEDED");
    // Its own run id, hence its own Idempotency-Key and webhook-id at the target.
    List<TargetServer.Delivery> fixedOnes =
        target.deliveries(d -> d.path().equals("/switch/a") && replayId.equals(d.runId()));
    assertThat(fixedOnes).hasSize(1);
    assertThat(fixedOnes.get(0).header("Idempotency-Key")).isEqualTo(replayId);
    assertThat(tenant.get("/api/v1/runs/" + failed).body().path("status").asString())
        .isEqualTo("FAILED"); // the dead letter stays on record
  }

  @Test
  void aReplayRespectsTheJobsOverlapPolicy() {
    String job =
        createJob("overlap", NEVER, "/switch/b", Map.of("retry", ONE_ATTEMPT, "overlap", "SKIP"));
    String failed = trigger(job);
    awaitRun(failed, "FAILED");
    target.fix("b");
    target.slowDown(3000);
    Api.Response first = tenant.post("/api/v1/runs/" + failed + "/replay", null);
    assertThat(first.status()).isEqualTo(202);
    Api.Response second = tenant.post("/api/v1/runs/" + failed + "/replay", null);
    assertThat(second.status()).as(second.toString()).isEqualTo(409);
    assertThat(second.body().path("detail").asString()).contains("overlap policy is SKIP");
    Api.Response inProgress =
        tenant.post("/api/v1/runs/" + first.body().path("id").asString() + "/replay", null);
    assertThat(inProgress.status()).isEqualTo(409);
    assertThat(inProgress.body().path("detail").asString()).contains("still in progress");
    target.slowDown(0);
  }

  @Test
  void aBulkReplayIsCappedHasADryRunAndNeverReplaysARunTwice() {
    String job =
        createJob("bulk", NEVER, "/switch/c", Map.of("retry", ONE_ATTEMPT, "overlap", "ALLOW"));
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      failed.add(trigger(job));
    }
    failed.forEach(id -> awaitRun(id, "FAILED"));
    // Delivered at once, they failed in any order: the oldest failure comes first.
    failed.sort(
        Comparator.comparing(
                (String id) ->
                    Instant.parse(
                        tenant.get("/api/v1/runs/" + id).body().path("finishedAt").asString()))
            .thenComparingLong(Long::parseLong));
    target.fix("c");
    Map<String, Object> filter = Map.of("status", "FAILED", "jobId", job);

    Api.Response dry =
        tenant.post("/api/v1/runs/replay", Map.of("filter", filter, "max", 3, "dryRun", true));
    assertThat(dry.status()).as(dry.toString()).isEqualTo(200);
    assertThat(dry.body().path("dryRun").asBoolean()).isTrue();
    List<JsonNode> wouldBe = list(dry.body().path("items"));
    assertThat(wouldBe).hasSize(3);
    assertThat(wouldBe).allSatisfy(i -> assertThat(i.path("replay").isNull()).isTrue());
    assertThat(wouldBe).allSatisfy(i -> assertThat(i.path("skipped").isNull()).isTrue());
    assertThat(wouldBe)
        .extracting(i -> i.path("runId").asString())
        .containsExactlyElementsOf(failed.subList(0, 3));
    assertThat(runsOf(job)).hasSize(5); // nothing was made

    Api.Response real = tenant.post("/api/v1/runs/replay", Map.of("filter", filter, "max", 3));
    assertThat(real.status()).as(real.toString()).isEqualTo(202);
    List<JsonNode> replayed = list(real.body().path("items"));
    assertThat(replayed)
        .extracting(i -> i.path("runId").asString())
        .containsExactlyElementsOf(failed.subList(0, 3));
    replayed.forEach(
        i -> {
          assertThat(i.path("replay").path("replayOf").asString())
              .isEqualTo(i.path("runId").asString());
          awaitRun(i.path("replay").path("id").asString(), "SUCCEEDED");
        });

    // A second call takes the rest only: a run replayed already is not replayed again.
    Api.Response rest = tenant.post("/api/v1/runs/replay", Map.of("filter", filter));
    assertThat(list(rest.body().path("items")))
        .extracting(i -> i.path("runId").asString())
        .containsExactlyElementsOf(failed.subList(3, 5));
    Api.Response none = tenant.post("/api/v1/runs/replay", Map.of("filter", filter));
    assertThat(list(none.body().path("items"))).isEmpty();
    assertThat(runsOf(job)).hasSize(10);
  }

  @Test
  void aBulkReplayOfAJobThatSkipsOverlapsReplaysOneOfItsRunsAtATime() {
    String job =
        createJob(
            "bulk-skip", NEVER, "/status/500", Map.of("retry", ONE_ATTEMPT, "overlap", "SKIP"));
    String first = trigger(job);
    awaitRun(first, "FAILED");
    String second = trigger(job);
    awaitRun(second, "FAILED");
    Api.Response dry =
        tenant.post("/api/v1/runs/replay", Map.of("filter", Map.of("jobId", job), "dryRun", true));
    List<JsonNode> items = list(dry.body().path("items"));
    assertThat(items).extracting(i -> i.path("runId").asString()).containsExactly(first, second);
    assertThat(items.get(0).path("skipped").isNull()).isTrue();
    assertThat(items.get(1).path("skipped").asString()).contains("overlap policy is SKIP");
  }

  @Test
  void badFiltersAndCapsAreRefusedNamingTheField() {
    assertBadRequest(tenant.post("/api/v1/runs/replay", Map.of("max", 1001)), "max");
    assertBadRequest(tenant.post("/api/v1/runs/replay", Map.of("max", 0)), "max");
    assertBadRequest(
        tenant.post("/api/v1/runs/replay", Map.of("filter", Map.of("status", "SUCCEEDED"))),
        "filter.status");
    assertBadRequest(
        tenant.post(
            "/api/v1/runs/replay",
            Map.of(
                "filter",
                Map.of("since", "2026-11-02T00:00:00Z", "until", "2026-11-01T00:00:00Z"))),
        "filter.until");
    assertBadRequest(
        tenant.post("/api/v1/runs/replay", Map.of("filter", Map.of("jobId", "x"))), "filter.jobId");
    assertBadRequest(tenant.post("/api/v1/runs/replay", Map.of("dryrun", true)), "dryrun");
    assertBadRequest(tenant.get("/api/v1/runs?status=RUNNING"), "status");
    assertBadRequest(tenant.get("/api/v1/runs?since=yesterday"), "since");
    assertBadRequest(tenant.get("/api/v1/runs?since=+99999-01-01T00:00:00Z"), "since");
    assertBadRequest(
        tenant.get("/api/v1/runs?since=2026-11-02T00:00:00Z&until=2026-11-01T00:00:00Z"), "until");
    assertBadRequest(tenant.get("/api/v1/runs?jobId=abc"), "jobId");
    assertBadRequest(tenant.get("/api/v1/runs?cursor=bm9wZQ"), "cursor");
    assertBadRequest(tenant.get("/api/v1/runs?limit=501"), "limit");
    assertThat(tenant.post("/api/v1/runs/99999999999/replay", null).status()).isEqualTo(404);
    assertThat(tenant.get("/api/v1/runs/abc/attempts").status()).isEqualTo(404);
  }

  @Test
  void deadLettersArePagedMostRecentFailureFirst() {
    String job = createJob("paged", NEVER, "/status/500", Map.of("retry", ONE_ATTEMPT));
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String run = trigger(job);
      awaitRun(run, "FAILED"); // one after the other: their failure times are in this order
      failed.add(run);
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      Api.Response page =
          tenant.get("/api/v1/runs?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(page.status()).isEqualTo(200);
      list(page.body().path("items")).forEach(r -> seen.add(r.path("id").asString()));
      cursor =
          page.body().path("nextCursor").isNull()
              ? null
              : page.body().path("nextCursor").asString();
    } while (cursor != null);
    Collections.reverse(failed);
    assertThat(seen).containsExactlyElementsOf(failed);
  }

  @Test
  void aJobPausesItselfAfterNFailedRunsInARowAndResumesOnRequest() {
    String job =
        createJob(
            "pausing",
            Map.of("interval", "PT1S"),
            "/status/500",
            Map.of("retry", ONE_ATTEMPT, "pauseAfterFailures", 3));
    await("the job pauses itself")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                tenant.get("/api/v1/jobs/" + job).body().path("state").asString().equals("PAUSED"));
    JsonNode paused = tenant.get("/api/v1/jobs/" + job).body();
    assertThat(paused.path("pausedReason").asString()).startsWith("3 runs in a row failed");
    assertThat(paused.path("enabled").asBoolean()).isFalse();
    assertThat(paused.path("nextRunAt").isNull()).isTrue();
    // No fire after the pause: the runs stay as they are for two fire intervals.
    int runsAtPause = runsOf(job).size();
    assertThat(runsAtPause).isBetween(3, 4); // one may have fired while the third was failing
    await("no more runs")
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(4))
        .until(() -> runsOf(job).size() == runsAtPause);

    Api.Response resumed = tenant.post("/api/v1/jobs/" + job + "/resume", null);
    assertThat(resumed.status()).isEqualTo(200);
    assertThat(resumed.body().has("pausedReason")).isFalse();
    assertThat(resumed.body().path("state").asString()).isEqualTo("ACTIVE");
    // The count starts again from zero: three more failures pause it again, not one.
    await("paused again after three more failures")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                tenant.get("/api/v1/jobs/" + job).body().path("state").asString().equals("PAUSED"));
    assertThat(runsOf(job).size()).isGreaterThanOrEqualTo(runsAtPause + 3);
  }

  @Test
  void aSuccessResetsTheCountOfFailuresInARow() {
    // Fails twice, succeeds, fails twice...: never three in a row, never paused.
    String job =
        createJob(
            "never-three",
            NEVER,
            "/switch/d",
            Map.of("retry", ONE_ATTEMPT, "pauseAfterFailures", 3));
    awaitRun(trigger(job), "FAILED");
    awaitRun(trigger(job), "FAILED");
    target.fix("d");
    awaitRun(trigger(job), "SUCCEEDED");
    // The switch cannot break again: the target's URL changes to one that fails.
    Api.Response patched =
        tenant.patch(
            "/api/v1/jobs/" + job,
            Map.of("target", Map.of("url", target.url("/status/500"))),
            Map.of("Content-Type", "application/merge-patch+json"));
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    awaitRun(trigger(job), "FAILED");
    awaitRun(trigger(job), "FAILED");
    assertThat(tenant.get("/api/v1/jobs/" + job).body().path("state").asString())
        .isEqualTo("ACTIVE");
    awaitRun(trigger(job), "FAILED");
    await("the third failure in a row pauses it")
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                tenant.get("/api/v1/jobs/" + job).body().path("state").asString().equals("PAUSED"));
  }

  @Test
  void maxRunsCompletesTheJobAndRaisingItResumesTheSchedule() {
    String job = createJob("limited", Map.of("interval", "PT1S"), "/ok", Map.of("maxRuns", 3));
    await("completed after three runs")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                tenant
                    .get("/api/v1/jobs/" + job)
                    .body()
                    .path("state")
                    .asString()
                    .equals("COMPLETED"));
    assertThat(runsOf(job)).hasSize(3);
    assertThat(tenant.get("/api/v1/jobs/" + job).body().path("scheduledRuns").asLong())
        .isEqualTo(3);
    await("no fourth run")
        .during(Duration.ofMillis(2000))
        .atMost(Duration.ofSeconds(3))
        .until(() -> runsOf(job).size() == 3);

    Api.Response raised =
        tenant.patch(
            "/api/v1/jobs/" + job,
            Map.of("maxRuns", 5),
            Map.of("Content-Type", "application/merge-patch+json"));
    assertThat(raised.status()).as(raised.toString()).isEqualTo(200);
    assertThat(raised.body().path("state").asString()).isEqualTo("ACTIVE");
    await("completed after five runs")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                tenant
                    .get("/api/v1/jobs/" + job)
                    .body()
                    .path("state")
                    .asString()
                    .equals("COMPLETED"));
    assertThat(runsOf(job)).hasSize(5);

    assertBadRequest(
        tenant.patch(
            "/api/v1/jobs/" + job,
            Map.of("maxRuns", 0, "pauseAfterFailures", 1001),
            Map.of("Content-Type", "application/merge-patch+json")),
        "maxRuns");
    assertBadRequest(
        tenant.patch(
            "/api/v1/jobs/" + job,
            Map.of("pauseAfterFailures", 1001),
            Map.of("Content-Type", "application/merge-patch+json")),
        "pauseAfterFailures");
  }

  private static void assertBadRequest(Api.Response response, String field) {
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.errorsFor(field)).as(response.toString()).isNotEmpty();
  }

  private String createJob(
      String name, Map<String, Object> schedule, String path, Map<String, Object> extra) {
    Map<String, Object> body = new HashMap<>();
    body.put("name", name);
    body.put("schedule", schedule);
    body.put("target", Map.of("url", target.url(path), "timeout", "PT10S"));
    body.putAll(extra);
    Api.Response created = tenant.post("/api/v1/jobs", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.body().path("id").asString();
  }

  private String trigger(String job) {
    Api.Response run = tenant.post("/api/v1/jobs/" + job + "/trigger", null);
    assertThat(run.status()).isEqualTo(202);
    return run.body().path("id").asString();
  }

  private JsonNode awaitRun(String run, String status) {
    await("run " + run + " " + status)
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                tenant.get("/api/v1/runs/" + run).body().path("status").asString().equals(status));
    return tenant.get("/api/v1/runs/" + run).body();
  }

  private List<JsonNode> runsOf(String job) {
    return list(tenant.get("/api/v1/jobs/" + job + "/runs?limit=500").body().path("items"));
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }
}
