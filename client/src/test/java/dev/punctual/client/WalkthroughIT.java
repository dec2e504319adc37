package dev.punctual.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punctual.client.api.JobsApi;
import dev.punctual.client.api.KeysApi;
import dev.punctual.client.api.RunsApi;
import dev.punctual.client.api.SchedulesApi;
import dev.punctual.client.api.TenantsApi;
import dev.punctual.client.model.CronSchedule;
import dev.punctual.client.model.HttpTarget;
import dev.punctual.client.model.Target;
import dev.punctual.client.model.IntervalSchedule;
import dev.punctual.client.model.Job;
import dev.punctual.client.model.JobPage;
import dev.punctual.client.model.JobPatch;
import dev.punctual.client.model.JobState;
import dev.punctual.client.model.JobWrite;
import dev.punctual.client.model.OnceSchedule;
import dev.punctual.client.model.Preview;
import dev.punctual.client.model.PreviewRequest;
import dev.punctual.client.model.Run;
import dev.punctual.client.model.RunTrigger;
import dev.punctual.client.model.Schedule;
import dev.punctual.client.model.TenantCreate;
import dev.punctual.client.model.TenantCreated;
import dev.punctual.client.model.WhoAmI;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's walk-through, through the generated client, against the service as users run it:
 * its jar ({@code -Dpunctual.jar}) in a process of its own on its embedded database. Create a
 * tenant, jobs of each schedule kind, list and filter, patch with If-Match, pause and resume,
 * trigger and read the runs, preview a schedule across a DST gap, delete.
 */
class WalkthroughIT {
  private static Process node;
  private static int port;
  private static String adminKey;

  @BeforeAll
  static void startNode() throws Exception {
    Path jar = Path.of(System.getProperty("punctual.jar"));
    assertThat(jar).as("the service's jar; build it first (./mvnw package)").exists();
    Path dataDir = Files.createTempDirectory("punctual-walkthrough");
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
    builder.environment().put("PUNCTUAL_DATA_DIR", dataDir.toString());
    builder.environment().put("SERVER_PORT", Integer.toString(port));
    builder.environment().remove("DATABASE_URL"); // the embedded database, as in the quick start
    builder.redirectErrorStream(true).redirectOutput(Path.of("target", "walkthrough-node.log").toFile());
    node = builder.start();
    waitUntilReady();
    adminKey = Files.readString(dataDir.resolve("admin.key")).trim();
  }

  /** Waits for readiness to answer UP (a cold start with its database: seconds). */
  private static void waitUntilReady() {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build();
    Awaitility.await("the node at port " + port + " is ready (target/walkthrough-node.log)")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
        .failFast("the node process ended (target/walkthrough-node.log)", () -> !node.isAlive())
        .until(() -> http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  @AfterAll
  static void stopNode() throws InterruptedException {
    if (node != null) {
      node.destroy();
      node.waitFor();
    }
  }

  private static ApiClient client(String key) {
    return PunctualClient.create("http://127.0.0.1:" + port, key);
  }

  private static HttpTarget target(String url) {
    return new HttpTarget().type(HttpTarget.TypeEnum.HTTP).url(URI.create(url));
  }

  /** The README's first job: 09:00 Berlin time on weekdays. */
  private static JobWrite nightlyReport() {
    return new JobWrite()
        .name("nightly-report")
        .schedule(new Schedule(new CronSchedule().cron("0 9 * * MON-FRI").timezone("Europe/Berlin")))
        .target(new Target(target("https://billing.internal/hooks/report").putHeadersItem("X-Team", "billing")))
        .putLabelsItem("team", "billing");
  }

  @Test
  void theWalkThroughRunsThroughTheGeneratedClient() throws Exception {
    // A tenant: its key and signing secret are shown once.
    String name = "walk-" + UUID.randomUUID().toString().substring(0, 8);
    TenantCreated tenant = new TenantsApi(client(adminKey)).createTenant(new TenantCreate().name(name));
    assertThat(tenant.getApiKey().getKey()).startsWith("pk_");
    assertThat(tenant.getSigningSecret()).startsWith("whsec_");
    ApiClient api = client(tenant.getApiKey().getKey());
    WhoAmI me = new KeysApi(api).whoAmI();
    assertThat(me.getTenant()).isEqualTo(name);

    // Jobs of each schedule kind.
    JobsApi jobs = new JobsApi(api);
    Job report =
        jobs.createJob(
            nightlyReport(), "walkthrough-report");
    assertThat(report.getState()).isEqualTo(JobState.ACTIVE);
    assertThat(report.getNextRunAt()).isAfter(OffsetDateTime.now());
    assertThat(report.getRetry().getMaxAttempts()).isEqualTo(3); // defaults are filled in
    assertThat(report.getSchedule().getActualInstance()).isInstanceOf(CronSchedule.class);
    Job hourly =
        jobs.createJob(
            new JobWrite()
                .name("hourly")
                .schedule(new Schedule(new IntervalSchedule().interval("PT1H")))
                .target(new Target(target("https://billing.internal/hooks/hourly"))),
            null);
    assertThat(hourly.getSchedule().getActualInstance()).isInstanceOf(IntervalSchedule.class);
    Job once =
        jobs.createJob(
            new JobWrite()
                .name("once")
                .schedule(new Schedule(new OnceSchedule().at(OffsetDateTime.parse("2099-01-01T00:00:00Z"))))
                .target(new Target(target("https://billing.internal/hooks/once"))),
            null);
    assertThat(once.getNextRunAt()).isEqualTo(OffsetDateTime.parse("2099-01-01T00:00:00Z"));
    // The same Idempotency-Key answers the first job again.
    Job again =
        jobs.createJob(
            nightlyReport(), "walkthrough-report");
    assertThat(again.getId()).isEqualTo(report.getId());

    // List, filtered by label.
    JobPage all = jobs.listJobs(10, null, null, null, null, null);
    assertThat(all.getItems()).extracting(Job::getName).containsExactly("once", "hourly", "nightly-report");
    JobPage billing = jobs.listJobs(null, null, null, null, null, List.of("team:billing"));
    assertThat(billing.getItems()).extracting(Job::getId).containsExactly(report.getId());

    // Change it with JSON Merge Patch, guarded by the version (the ETag).
    ApiResponse<Job> read = jobs.getJobWithHttpInfo(report.getId());
    String etag = read.getHeaders().get("etag").get(0);
    Job patched = jobs.patchJob(report.getId(), new JobPatch().description("daily figures"), etag);
    assertThat(patched.getDescription()).isEqualTo("daily figures");
    assertThat(patched.getVersion()).isEqualTo(report.getVersion() + 1);
    assertThatThrownBy(() -> jobs.patchJob(report.getId(), new JobPatch().description("stale"), etag))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(412));

    // Pause and resume.
    assertThat(jobs.pauseJob(report.getId()).getState()).isEqualTo(JobState.PAUSED);
    assertThat(jobs.resumeJob(report.getId()).getState()).isEqualTo(JobState.ACTIVE);

    // Fire it now and read its runs.
    Run run = jobs.triggerJob(report.getId());
    assertThat(run.getTrigger()).isEqualTo(RunTrigger.MANUAL);
    RunsApi runs = new RunsApi(api);
    assertThat(runs.listRuns(report.getId(), null, null, null).getItems())
        .extracting(Run::getId)
        .contains(run.getId());
    assertThat(runs.getRun(run.getId()).getJobId()).isEqualTo(report.getId());

    // Preview across the spring-forward gap: 02:30 Berlin does not exist on 2026-03-29.
    Preview preview =
        new SchedulesApi(api)
            .previewSchedule(
                new PreviewRequest()
                    .schedule(new Schedule(new CronSchedule().cron("30 2 * * *").timezone("Europe/Berlin")))
                    .after(OffsetDateTime.parse("2026-03-28T00:00:00Z"))
                    .count(3));
    assertThat(preview.getFireTimes())
        .extracting(OffsetDateTime::toInstant)
        .containsExactly(
            Instant.parse("2026-03-28T01:30:00Z"),
            Instant.parse("2026-03-29T01:00:00Z"),
            Instant.parse("2026-03-30T00:30:00Z"));

    // Delete; the job is gone.
    jobs.deleteJob(hourly.getId());
    assertThatThrownBy(() -> jobs.getJob(hourly.getId()))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
  }
}
