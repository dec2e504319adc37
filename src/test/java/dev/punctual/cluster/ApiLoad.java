package dev.punctual.cluster;

import dev.punctual.support.Api;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client calling the API through nginx without pause (reads, creates with an Idempotency-Key,
 * deletes) and counting every answer that is not the expected one.
 */
final class ApiLoad implements AutoCloseable {
  private final Api tenant;
  private final Thread thread;
  private volatile boolean running = true;
  final AtomicInteger requests = new AtomicInteger();
  final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  ApiLoad(Cluster cluster) {
    Api admin = cluster.admin();
    String name = "api-load-" + Long.toString(System.nanoTime(), 36);
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));
    tenant = cluster.api(created.body().path("apiKey").path("key").asString());
    thread = new Thread(this::loop, "api-load");
    thread.start();
  }

  private void loop() {
    int i = 0;
    while (running) {
      i++;
      String name = "load-" + i;
      Map<String, Object> job =
          Map.of(
              "name", name,
              "schedule", Map.of("cron", "0 0 1 1 *"),
              "target", Map.of("url", "https://example.com/hook"));
      Api.Response created =
          call(
              "POST /jobs",
              201,
              () -> tenant.post("/api/v1/jobs", job, Map.of("Idempotency-Key", name)));
      if (created != null) {
        String id = created.body().path("id").asString();
        call("GET /jobs/{id}", 200, () -> tenant.get("/api/v1/jobs/" + id));
        call("GET /jobs", 200, () -> tenant.get("/api/v1/jobs?limit=10"));
        call("DELETE /jobs/{id}", 204, () -> tenant.delete("/api/v1/jobs/" + id));
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Api.Response call(
      String what, int expected, java.util.function.Supplier<Api.Response> request) {
    requests.incrementAndGet();
    try {
      Api.Response r = request.get();
      if (r.status() != expected) {
        failures.add(what + " -> " + r.status() + " " + r.raw().body());
        return null;
      }
      return r;
    } catch (RuntimeException e) {
      failures.add(what + " -> " + e);
      return null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(30_000);
  }
}
