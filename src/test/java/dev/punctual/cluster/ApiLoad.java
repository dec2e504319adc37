package dev.punctual.cluster;

import dev.punctual.support.Api;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A client calling the API through nginx without pause (creates with an Idempotency-Key, reads,
 * deletes) as docs/api.md tells clients to: a request whose connection closed before any answer is
 * sent once more on a fresh connection when it is safe to repeat (GET, DELETE, and the create,
 * which carries an Idempotency-Key). It counts every request that did not end with the expected
 * answer, and every such retry.
 *
 * <p>Without the retry ({@code retrying = false}) it is the control: a request lost on the way is a
 * failure.
 */
final class ApiLoad implements AutoCloseable {
  private final Api tenant;
  private final boolean retrying;
  private final ScheduledExecutorService clients;
  private final AtomicInteger sequence = new AtomicInteger();
  final AtomicInteger requests = new AtomicInteger();
  final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  final List<String> retried = Collections.synchronizedList(new ArrayList<>());

  ApiLoad(Cluster cluster, int threadCount, boolean retrying) {
    Api admin = cluster.admin();
    String name = "api-load-" + Long.toString(System.nanoTime(), 36);
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));
    tenant = cluster.api(created.body().path("apiKey").path("key").asString());
    this.retrying = retrying;
    // Each client makes one round of requests, then the next one 10 ms after it ended (pacing
    // of a client, not a wait for something); a client's rounds never overlap.
    clients = Executors.newScheduledThreadPool(threadCount);
    for (int t = 0; t < threadCount; t++) {
      clients.scheduleWithFixedDelay(this::round, 0, 10, TimeUnit.MILLISECONDS);
    }
  }

  /** One create, as the load makes them; its failure, if any, is counted. */
  Api.Response createOnce(String name) {
    Map<String, Object> job =
        Map.of(
            "name", name,
            "schedule", Map.of("cron", "0 0 1 1 *"),
            "target", Map.of("url", "https://example.com/hook"));
    return call(
        "POST /jobs",
        List.of(201),
        List.of(201),
        api -> api.post("/api/v1/jobs", job, Map.of("Idempotency-Key", name)));
  }

  private void round() {
    try {
      requests();
    } catch (RuntimeException e) {
      // Counted, and the client goes on: a periodic task that throws is never run again.
      failures.add("round -> " + e);
    }
  }

  private void requests() {
    Api.Response created = createOnce("load-" + sequence.incrementAndGet());
    if (created != null) {
      String id = created.body().path("id").asString();
      call("GET /jobs/{id}", List.of(200), List.of(200), api -> api.get("/api/v1/jobs/" + id));
      call("GET /jobs", List.of(200), List.of(200), api -> api.get("/api/v1/jobs?limit=10"));
      // A repeated DELETE whose first try was carried out finds nothing left: 404 is done.
      call(
          "DELETE /jobs/{id}",
          List.of(204),
          List.of(204, 404),
          api -> api.delete("/api/v1/jobs/" + id));
    }
  }

  private Api.Response call(
      String what,
      List<Integer> expected,
      List<Integer> expectedAfterRetry,
      Function<Api, Api.Response> request) {
    requests.incrementAndGet();
    Api.Response r;
    List<Integer> accepted = expected;
    try {
      r = request.apply(tenant);
    } catch (UncheckedIOException closedBeforeAnswer) {
      if (!retrying) {
        failures.add(what + " -> " + closedBeforeAnswer);
        return null;
      }
      retried.add(what + " -> " + closedBeforeAnswer.getCause());
      accepted = expectedAfterRetry;
      try {
        r = request.apply(tenant.onFreshConnection());
      } catch (RuntimeException e) {
        failures.add(what + " -> " + e + " (after a retry)");
        return null;
      }
    } catch (RuntimeException e) {
      failures.add(what + " -> " + e);
      return null;
    }
    if (!accepted.contains(r.status())) {
      failures.add(what + " -> " + r.status() + " " + r.raw().body());
      return null;
    }
    return r;
  }

  /** Jobs of the load's tenant still there: each create was deleted, so any is one made twice. */
  List<String> jobsLeft() {
    List<String> left = new ArrayList<>();
    Api.Response page = tenant.get("/api/v1/jobs?limit=100");
    for (JsonNode job : page.body().path("items")) {
      left.add(job.path("name").asString() + " (id " + job.path("id").asString() + ")");
    }
    return left;
  }

  /** Stops the load; rounds in progress finish. */
  @Override
  public void close() throws InterruptedException {
    clients.shutdown();
    if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the API load's clients did not finish within 60 s");
    }
  }
}
