package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The engine of the running service, end to end: jobs created over the API fire at their times,
 * reach a real HTTP target on loopback with the headers of docs/api.md, retry, and are recorded.
 */
class DeliveryIT extends ApiTestBase {
  private TargetServer target;
  private Api tenant;
  private String signingSecret;

  @BeforeEach
  void setUp() throws Exception {
    target = new TargetServer();
    NewTenant created = newTenantWithSecret();
    tenant = created.api();
    signingSecret = created.signingSecret();
  }

  /**
   * Standard Webhooks verification, written from the specification: the signature header holds
   * space-separated {@code v1,<base64>} entries; one must equal the HMAC-SHA256 of {@code
   * id.timestamp.body} keyed by the base64-decoded secret after {@code whsec_}.
   */
  private void assertSigned(TargetServer.Delivery d) throws Exception {
    assertThat(d.header("webhook-signature").split(" ")).contains(signature(d, signingSecret));
  }

  private static String signature(TargetServer.Delivery d, String secret) throws Exception {
    String id = d.header("webhook-id");
    String timestamp = d.header("webhook-timestamp");
    assertThat(id).isEqualTo(d.runId());
    assertThat(Math.abs(Long.parseLong(timestamp) - d.receivedAt().getEpochSecond()))
        .isLessThanOrEqualTo(5);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    String expected =
        Base64.getEncoder()
            .encodeToString(
                mac.doFinal(
                    (id + "." + timestamp + "." + d.body()).getBytes(StandardCharsets.UTF_8)));
    return "v1," + expected;
  }

  @org.springframework.beans.factory.annotation.Autowired private JdbcClient sql;

  @Test
  void aRotatedSecretSignsBesideTheOldOneUntilTheOldOneRetires() throws Exception {
    String job = createJob("signed", Map.of("cron", "0 0 1 1 *"), "/ok/signed", Map.of());
    String tenantName = tenant.get("/api/v1/whoami").body().path("tenant").asString();
    Api.Response rotated = admin.post("/api/v1/tenants/" + tenantName + "/signing-secrets", null);
    assertThat(rotated.status()).isEqualTo(201);
    String newSecret = rotated.body().path("signingSecret").asString();
    Instant validUntil = Instant.parse(rotated.body().path("previousValidUntil").asString());
    assertThat(validUntil)
        .isBetween(
            Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));

    TargetServer.Delivery both = target.triggerAndReceive(tenant, job);
    assertThat(both.header("webhook-signature").split(" "))
        .hasSize(2)
        .contains(signature(both, signingSecret), signature(both, newSecret));

    // The old secret (the tenant's first: secrets are stored sealed, so found by order) retires:
    // from then on only the new one signs.
    sql.sql(
            """
            update signing_secrets set retires_at = now() - interval '1 second'
            where id = (select min(s.id) from signing_secrets s join tenants t on t.id = s.tenant_id
                        where t.name = :tenant)
            """)
        .param("tenant", tenantName)
        .update();
    TargetServer.Delivery onlyNew = target.triggerAndReceive(tenant, job);
    assertThat(onlyNew.header("webhook-signature")).isEqualTo(signature(onlyNew, newSecret));
  }

  @AfterEach
  void tearDown() {
    // Stop this test's jobs, so they do not keep firing under the next tests.
    for (JsonNode job : tenant.get("/api/v1/jobs?limit=500").body().path("items")) {
      tenant.delete("/api/v1/jobs/" + job.path("id").asString());
    }
    target.close();
  }

  private String createJob(
      String name, Map<String, Object> schedule, String path, Map<String, Object> extra) {
    return createJob(name, schedule, path, extra, "PT10S");
  }

  private String createJob(
      String name,
      Map<String, Object> schedule,
      String path,
      Map<String, Object> extra,
      String timeout) {
    Map<String, Object> body = new HashMap<>();
    body.put("name", name);
    body.put("schedule", schedule);
    Map<String, Object> t = new HashMap<>();
    t.put("url", target.url(path));
    t.put("headers", Map.of("X-Team", "billing"));
    t.put("body", "{\"hello\":\"" + name + "\"}");
    t.put("timeout", timeout);
    body.put("target", t);
    body.putAll(extra);
    Api.Response created = tenant.post("/api/v1/jobs", body);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.body().path("id").asString();
  }

  private List<JsonNode> runs(String jobId) {
    List<JsonNode> runs = new ArrayList<>();
    tenant.get("/api/v1/jobs/" + jobId + "/runs?limit=500").body().path("items").forEach(runs::add);
    return runs;
  }

  /** Waits for {@code condition}; on time-out, shows the jobs and runs, so a failure says why. */
  private void awaitOrShow(List<String> jobIds, Callable<Boolean> condition) {
    try {
      await("the delivery's condition").atMost(Duration.ofSeconds(15)).until(condition);
    } catch (ConditionTimeoutException e) {
      StringBuilder state = new StringBuilder("Timed out; jobs and runs:\n");
      for (String id : jobIds) {
        state.append(tenant.get("/api/v1/jobs/" + id).raw().body()).append('\n');
        runs(id).forEach(r -> state.append("  ").append(r).append('\n'));
      }
      throw new AssertionError(state.toString(), e);
    }
  }

  private static List<JsonNode> withStatus(List<JsonNode> runs, String status) {
    return runs.stream().filter(r -> r.path("status").asString().equals(status)).toList();
  }

  @Test
  void cronWithSecondsIntervalAndOneShotDeliverOnTimeWithTheApiHeaders() throws Exception {
    Instant start = Instant.now();
    String cron = createJob("every-second", Map.of("cron", "*/1 * * * * *"), "/ok/cron", Map.of());
    String interval = createJob("interval", Map.of("interval", "PT1S"), "/ok/interval", Map.of());
    Instant at = start.plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
    String once = createJob("once", Map.of("at", at.toString()), "/ok/once", Map.of());

    awaitOrShow(
        List.of(cron, interval, once),
        () ->
            withStatus(runs(cron), "SUCCEEDED").size() >= 3
                && withStatus(runs(interval), "SUCCEEDED").size() >= 3
                && withStatus(runs(once), "SUCCEEDED").size() == 1);

    // The one-shot job is COMPLETED, and fired once.
    JsonNode onceJob = tenant.get("/api/v1/jobs/" + once).body();
    assertThat(onceJob.path("state").asString()).isEqualTo("COMPLETED");
    assertThat(onceJob.path("nextRunAt").isNull()).isTrue();
    assertThat(onceJob.path("lastRun").path("status").asString()).isEqualTo("SUCCEEDED");
    JsonNode onceRun = runs(once).get(0);
    assertThat(onceRun.path("scheduledFor").asString()).isEqualTo(at.toString());
    assertThat(onceRun.path("trigger").asString()).isEqualTo("SCHEDULE");

    // Every delivery the target saw matches a run record, headers included.
    for (String jobId : List.of(cron, interval, once)) {
      for (JsonNode run : withStatus(runs(jobId), "SUCCEEDED")) {
        String runId = run.path("id").asString();
        List<TargetServer.Delivery> got = target.deliveries(d -> runId.equals(d.runId()));
        assertThat(got).as("deliveries of run %s", runId).hasSize(1);
        TargetServer.Delivery d = got.get(0);
        assertThat(d.method()).isEqualTo("POST");
        assertThat(d.header("Idempotency-Key")).isEqualTo(runId);
        assertThat(d.header("X-Punctual-Job-Id")).isEqualTo(jobId);
        assertThat(d.header("X-Punctual-Job-Name")).isNotBlank();
        assertThat(d.header("X-Punctual-Scheduled-For"))
            .isEqualTo(run.path("scheduledFor").asString());
        assertThat(d.header("X-Punctual-Attempt")).isEqualTo("1");
        assertThat(d.header("User-Agent")).startsWith("Punctual/");
        assertThat(d.header("X-Team")).isEqualTo("billing");
        assertSigned(d);
        assertThat(d.body()).startsWith("{\"hello\":");
        assertThat(run.path("attempts").asInt()).isEqualTo(1);
        assertThat(run.path("httpStatus").asInt()).isEqualTo(200);
        assertThat(run.path("responseSnippet").asString()).isEqualTo("ok");
        assertThat(run.path("durationMs").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(run.path("finishedAt").asString()).isNotBlank();
        // Fired at its time, not after a lease ran out (5 s) or a takeover (10 s). Tens of
        // milliseconds here normally; the bound of 3 s is margin for a busy shared machine, and
        // precision itself is the benchmarks' to measure (bench/fire-lag.sh), not a test's.
        Instant scheduled = Instant.parse(run.path("scheduledFor").asString());
        assertThat(Duration.between(scheduled, d.receivedAt())).isLessThan(Duration.ofSeconds(3));
      }
    }
    // Consecutive fire times of the cron job are one second apart: none lost, none doubled.
    List<Instant> times =
        runs(cron).stream()
            .map(r -> Instant.parse(r.path("scheduledFor").asString()))
            .sorted()
            .toList();
    for (int i = 1; i < times.size(); i++) {
      assertThat(Duration.between(times.get(i - 1), times.get(i))).isEqualTo(Duration.ofSeconds(1));
    }
    // GET /api/v1/runs/{id} shows the same run: a finished one, since the every-second job goes on
    // firing and its newest run may finish between the list and the GET.
    JsonNode finished =
        runs(cron).stream()
            .filter(r -> r.path("status").asString().equals("SUCCEEDED"))
            .findFirst()
            .orElseThrow();
    assertThat(tenant.get("/api/v1/runs/" + finished.path("id").asString()).body())
        .isEqualTo(finished);
  }

  @Test
  void failuresAreRetriedUntilSuccess() {
    String job =
        createJob(
            "flaky",
            Map.of("at", Instant.now().plusMillis(500).toString()),
            "/fail-then-ok/2",
            Map.of("retry", Map.of("maxAttempts", 5, "initialBackoff", "PT0.1S")));
    await("one run SUCCEEDED")
        .atMost(Duration.ofSeconds(15))
        .until(() -> withStatus(runs(job), "SUCCEEDED").size() == 1);
    JsonNode run = runs(job).get(0);
    assertThat(run.path("attempts").asInt()).isEqualTo(3);
    assertThat(run.path("httpStatus").asInt()).isEqualTo(200);
    List<TargetServer.Delivery> got =
        target.deliveries(d -> run.path("id").asString().equals(d.runId()));
    assertThat(got).extracting(d -> d.header("X-Punctual-Attempt")).containsExactly("1", "2", "3");
    assertThat(got)
        .extracting(d -> d.header("Idempotency-Key"))
        .containsOnly(run.path("id").asString());
  }

  @Test
  void timeoutsRedirectsAndErrorsAreFailuresWithTheReason() {
    Map<String, Object> once = Map.of("at", Instant.now().plusMillis(300).toString());
    Map<String, Object> oneAttempt = Map.of("retry", Map.of("maxAttempts", 1));
    String slow = createJob("slow", once, "/sleep/3000", oneAttempt, "PT1S");
    String redirect = createJob("redirect", once, "/status/302", oneAttempt);
    String broken = createJob("broken", once, "/status/500", oneAttempt);

    await("the run's attempts")
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                withStatus(runs(slow), "FAILED").size() == 1
                    && withStatus(runs(redirect), "FAILED").size() == 1
                    && withStatus(runs(broken), "FAILED").size() == 1);
    assertThat(runs(slow).get(0).path("error").asString()).contains("timed out");
    JsonNode redirected = runs(redirect).get(0);
    assertThat(redirected.path("httpStatus").asInt()).isEqualTo(302);
    assertThat(redirected.path("error").asString()).contains("redirects are not followed");
    // The redirect was not followed: the target saw no request to /ok.
    assertThat(target.deliveries(d -> d.path().equals("/ok"))).isEmpty();
    assertThat(runs(broken).get(0).path("httpStatus").asInt()).isEqualTo(500);
    assertThat(runs(broken).get(0).path("responseSnippet").asString()).isEqualTo("status 500");
  }

  @Test
  void retryAfterIsHonoured() {
    String job =
        createJob(
            "polite",
            Map.of("at", Instant.now().plusMillis(300).toString()),
            "/retry-after/2",
            Map.of(
                "retry",
                Map.of("maxAttempts", 3, "initialBackoff", "PT0.1S", "maxBackoff", "PT10S")));
    await("one run SUCCEEDED")
        .atMost(Duration.ofSeconds(15))
        .until(() -> withStatus(runs(job), "SUCCEEDED").size() == 1);
    String runId = runs(job).get(0).path("id").asString();
    List<TargetServer.Delivery> got = target.deliveries(d -> runId.equals(d.runId()));
    assertThat(got).hasSize(2);
    assertThat(Duration.between(got.get(0).receivedAt(), got.get(1).receivedAt()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1900));
  }

  @Test
  void manualTriggerFiresNowWhateverTheSchedule() {
    String job = createJob("manual", Map.of("cron", "0 0 1 1 *"), "/ok/manual", Map.of());
    Api.Response triggered = tenant.post("/api/v1/jobs/" + job + "/trigger", null);
    assertThat(triggered.status()).isEqualTo(202);
    assertThat(triggered.body().path("trigger").asString()).isEqualTo("MANUAL");
    assertThat(triggered.body().path("status").asString()).isEqualTo("PENDING");
    String runId = triggered.body().path("id").asString();
    assertThat(triggered.header("Location")).isEqualTo("/api/v1/runs/" + runId);
    await("the run's outcome")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                tenant
                    .get("/api/v1/runs/" + runId)
                    .body()
                    .path("status")
                    .asString()
                    .equals("SUCCEEDED"));
    assertThat(target.deliveries(d -> runId.equals(d.runId()))).hasSize(1);
    assertThat(tenant.get("/api/v1/jobs/" + job).body().path("lastRun").path("id").asString())
        .isEqualTo(runId);
  }

  @Test
  void overlapSkipRecordsSkippedRunsAndAllowRunsSideBySide() {
    String skip =
        createJob(
            "skip", Map.of("cron", "*/1 * * * * *"), "/sleep/2500", Map.of("overlap", "SKIP"));
    await("two runs SKIPPED")
        .atMost(Duration.ofSeconds(15))
        .until(() -> withStatus(runs(skip), "SKIPPED").size() >= 2);
    JsonNode skipped = withStatus(runs(skip), "SKIPPED").get(0);
    assertThat(skipped.path("attempts").asInt()).isZero();
    assertThat(skipped.path("finishedAt").asString()).isNotBlank();
    // Skipped fire times never reached the target.
    for (JsonNode s : withStatus(runs(skip), "SKIPPED")) {
      assertThat(target.deliveries(d -> s.path("id").asString().equals(d.runId()))).isEmpty();
    }
    tenant.post("/api/v1/jobs/" + skip + "/pause", null);

    String allow =
        createJob(
            "allow", Map.of("cron", "*/1 * * * * *"), "/sleep/2500", Map.of("overlap", "ALLOW"));
    await("two runs SUCCEEDED")
        .atMost(Duration.ofSeconds(15))
        .until(() -> withStatus(runs(allow), "SUCCEEDED").size() >= 2);
    assertThat(withStatus(runs(allow), "SKIPPED")).isEmpty();
    assertThat(target.maxConcurrent()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void runsQueriesAreScopedAndValidated() {
    String job = createJob("scoped", Map.of("cron", "0 0 1 1 *"), "/ok", Map.of());
    String runId =
        tenant.post("/api/v1/jobs/" + job + "/trigger", null).body().path("id").asString();
    Api other = newTenant();
    assertThat(other.get("/api/v1/runs/" + runId).status()).isEqualTo(404);
    assertThat(other.get("/api/v1/jobs/" + job + "/runs").status()).isEqualTo(404);
    assertThat(other.post("/api/v1/jobs/" + job + "/trigger", null).status()).isEqualTo(404);
    assertThat(tenant.get("/api/v1/jobs/" + job + "/runs?status=DONE").status()).isEqualTo(400);
    assertThat(tenant.get("/api/v1/jobs/" + job + "/runs?limit=0").status()).isEqualTo(400);
    assertThat(tenant.get("/api/v1/runs/nope").status()).isEqualTo(404);
    assertThat(admin.get("/api/v1/runs/" + runId).status()).isEqualTo(403);
  }
}
