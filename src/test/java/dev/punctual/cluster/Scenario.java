package dev.punctual.cluster;

import dev.punctual.support.Api;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;

/**
 * One scenario's load and its verdict, all through the public API: a fresh tenant with {@link
 * #JOBS} jobs firing every second from {@code t0}; at the end the jobs are paused, every run is
 * read back, and each fire time is matched with its run and the run with its deliveries.
 */
final class Scenario {
  static final int JOBS = 200;
  private static final Set<String> FINISHED = Set.of("SUCCEEDED", "FAILED", "SKIPPED");

  final String name;
  private final Cluster cluster;
  private final Api admin;
  private Api tenant;
  Instant t0;
  private final List<String> jobIds = new ArrayList<>();
  private final Map<String, Instant> pausedAt = new ConcurrentHashMap<>();

  Scenario(String name, Cluster cluster) {
    this.name = name;
    this.cluster = cluster;
    this.admin = cluster.admin();
  }

  /** Creates the tenant and its jobs; they fire every second from a whole second 10 s ahead. */
  Scenario begin() throws InterruptedException {
    String tenantName = name + "-" + Long.toString(System.nanoTime(), 36);
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", tenantName));
    check(created.status() == 201, "tenant not created: " + created);
    tenant = cluster.api(created.body().path("apiKey").path("key").asString());
    cluster.target.clear();
    t0 = Instant.now().plusSeconds(10).truncatedTo(ChronoUnit.SECONDS);
    ExecutorService creators = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        int n = i;
        ids.add(creators.submit(() -> createJob(n)));
      }
      for (Future<String> id : ids) {
        jobIds.add(id.get());
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      creators.shutdown();
    }
    check(Instant.now().isBefore(t0), "creating the jobs took past their first fire time");
    return this;
  }

  private String createJob(int i) {
    Map<String, Object> job =
        Map.of(
            "name", "every-second-" + i,
            "schedule", Map.of("interval", "PT1S", "startAt", t0.toString()),
            "target", Map.of("url", cluster.target.url("/hook"), "timeout", "PT5S"),
            "retry", Map.of("maxAttempts", 10, "initialBackoff", "PT1S", "maxBackoff", "PT5S"),
            "overlap", "ALLOW");
    Api.Response r = tenant.post("/api/v1/jobs", job, Map.of("Idempotency-Key", "job-" + i));
    check(r.status() == 201, "job not created: " + r);
    return r.body().path("id").asString();
  }

  /**
   * Waits until {@code seconds} after the first fire time: a point of the scenario's timeline. The
   * jobs fire at wall-clock instants, so a fault is placed in wall-clock time too; nothing is
   * asserted about how fast anything happened in between (the verdict reads what happened).
   */
  void at(double seconds) {
    Instant when = t0.plusMillis((long) (seconds * 1000));
    Awaitility.await(name + " at t0+" + seconds + " s")
        .atMost(Duration.between(Instant.now(), when).abs().plusSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> !Instant.now().isBefore(when));
  }

  /** Pauses every job (no fire after its answer), then waits until every run has finished. */
  void end() throws InterruptedException {
    for (String id : jobIds) {
      Api.Response r = tenant.post("/api/v1/jobs/" + id + "/pause", null);
      check(r.status() == 200, "pause failed: " + r);
      pausedAt.put(id, Instant.now());
    }
    try {
      Awaitility.await("every run finished")
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(3))
          .until(() -> allRuns().values().stream().flatMap(List::stream).allMatch(Run::finished));
    } catch (ConditionTimeoutException e) {
      // The checks that follow name every run that did not finish.
    }
  }

  record Run(String id, Instant scheduledFor, String status, int attempts, Instant createdAt) {
    boolean finished() {
      return FINISHED.contains(status);
    }
  }

  private Map<String, List<Run>> allRuns() {
    Map<String, List<Run>> runs = new HashMap<>();
    for (String id : jobIds) {
      List<Run> list = new ArrayList<>();
      String cursor = null;
      do {
        Api.Response page =
            tenant.get(
                "/api/v1/jobs/"
                    + id
                    + "/runs?limit=500"
                    + (cursor == null ? "" : "&cursor=" + cursor));
        check(page.status() == 200, "runs not listed: " + page);
        for (JsonNode r : page.body().path("items")) {
          list.add(
              new Run(
                  r.path("id").asString(),
                  Instant.parse(r.path("scheduledFor").asString()),
                  r.path("status").asString(),
                  r.path("attempts").asInt(),
                  Instant.parse(r.path("createdAt").asString())));
        }
        JsonNode next = page.body().path("nextCursor");
        cursor = next.isNull() || next.isMissingNode() ? null : next.asString();
      } while (cursor != null);
      runs.put(id, list);
    }
    return runs;
  }

  /** What the scenario saw, from the API and the target. */
  record Figures(
      String scenario,
      long expectedFires,
      long runs,
      long missing,
      long duplicateRuns,
      long offGrid,
      long notSucceeded,
      long neverDelivered,
      long deliveries,
      long redeliveries,
      long unexplainedRedeliveries,
      long keyMismatches,
      Duration maxFireLag,
      Duration maxDeliveryLag,
      List<String> examples) {

    String line() {
      return ("cluster scenario=%s fire_times=%d runs=%d missing=%d duplicate_runs=%d off_grid=%d"
              + " not_succeeded=%d never_delivered=%d deliveries=%d redeliveries=%d"
              + " unexplained_redeliveries=%d key_mismatches=%d max_fire_lag_ms=%d"
              + " max_delivery_lag_ms=%d")
          .formatted(
              scenario,
              expectedFires,
              runs,
              missing,
              duplicateRuns,
              offGrid,
              notSucceeded,
              neverDelivered,
              deliveries,
              redeliveries,
              unexplainedRedeliveries,
              keyMismatches,
              maxFireLag.toMillis(),
              maxDeliveryLag.toMillis());
    }

    /** The guarantees every scenario keeps, whatever its fault. */
    boolean exactlyOnceAndDelivered() {
      return missing == 0
          && duplicateRuns == 0
          && offGrid == 0
          && notSucceeded == 0
          && neverDelivered == 0
          && unexplainedRedeliveries == 0
          && keyMismatches == 0;
    }
  }

  Figures verdict() {
    Map<String, List<Run>> runs = allRuns();
    Map<String, List<RecordingTarget.Delivery>> deliveries = new HashMap<>();
    long keyMismatches = 0;
    for (RecordingTarget.Delivery d : cluster.target.deliveries()) {
      deliveries.computeIfAbsent(d.runId(), k -> new ArrayList<>()).add(d);
      if (!d.runId().equals(d.idempotencyKey()) || !d.runId().equals(d.webhookId())) {
        keyMismatches++;
      }
    }
    List<String> examples = new ArrayList<>();
    long expected = 0;
    long total = 0;
    long missing = 0;
    long duplicates = 0;
    long offGrid = 0;
    long notSucceeded = 0;
    long neverDelivered = 0;
    long delivered = 0;
    long redeliveries = 0;
    long unexplained = 0;
    Duration maxFireLag = Duration.ZERO;
    Duration maxDeliveryLag = Duration.ZERO;
    for (String jobId : jobIds) {
      List<Run> jobRuns = runs.get(jobId);
      total += jobRuns.size();
      Map<Instant, Integer> perFireTime = new HashMap<>();
      for (Run run : jobRuns) {
        perFireTime.merge(run.scheduledFor(), 1, Integer::sum);
        if (run.scheduledFor().getNano() != 0 || run.scheduledFor().isBefore(t0)) {
          offGrid++;
          example(examples, "off the grid: job " + jobId + " " + run);
        }
        if (!"SUCCEEDED".equals(run.status())) {
          notSucceeded++;
          example(examples, "not succeeded: job " + jobId + " " + run);
        }
        Duration fireLag = Duration.between(run.scheduledFor(), run.createdAt());
        maxFireLag = fireLag.compareTo(maxFireLag) > 0 ? fireLag : maxFireLag;
        List<RecordingTarget.Delivery> got = deliveries.getOrDefault(run.id(), List.of());
        delivered += got.size();
        if (got.isEmpty()) {
          neverDelivered++;
          example(examples, "never delivered: job " + jobId + " " + run);
          continue;
        }
        redeliveries += got.size() - 1;
        // Each attempt is counted before it is made: a delivery the run does not account for
        // would be one the engine lost track of.
        if (got.size() > run.attempts()) {
          unexplained += got.size() - run.attempts();
          example(
              examples,
              "delivered " + got.size() + " times in " + run.attempts() + " attempts: " + run);
        }
        Instant first =
            got.stream()
                .map(RecordingTarget.Delivery::arrivedAt)
                .min(Instant::compareTo)
                .orElseThrow();
        Duration deliveryLag = Duration.between(run.scheduledFor(), first);
        maxDeliveryLag = deliveryLag.compareTo(maxDeliveryLag) > 0 ? deliveryLag : maxDeliveryLag;
      }
      for (Map.Entry<Instant, Integer> e : perFireTime.entrySet()) {
        if (e.getValue() > 1) {
          duplicates += e.getValue() - 1;
          example(examples, "job " + jobId + " has " + e.getValue() + " runs for " + e.getKey());
        }
      }
      // Every whole second from t0 until shortly before the pause must have its run.
      Instant last = pausedAt.get(jobId).minusSeconds(2);
      for (Instant at = t0; !at.isAfter(last); at = at.plusSeconds(1)) {
        expected++;
        if (!perFireTime.containsKey(at)) {
          missing++;
          example(examples, "job " + jobId + " has no run for " + at);
        }
      }
    }
    return new Figures(
        name,
        expected,
        total,
        missing,
        duplicates,
        offGrid,
        notSucceeded,
        neverDelivered,
        delivered,
        redeliveries,
        unexplained,
        keyMismatches,
        maxFireLag,
        maxDeliveryLag,
        examples);
  }

  /** Deletes the scenario's jobs, so that the next scenario runs on the same load. */
  void cleanup() {
    for (String id : jobIds) {
      tenant.delete("/api/v1/jobs/" + id);
    }
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < 10) {
      examples.add(text);
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }
}
