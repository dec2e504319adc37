package dev.punctual.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-tenant limits on a node of their own, set low: 5 requests per second (burst 15) and 3
 * jobs per tenant.
 */
class TenantLimitsIT {
  private static final String ADMIN = "limits-admin-" + UUID.randomUUID();
  private static Node node;

  @BeforeAll
  static void start() throws Exception {
    node =
        Node.start(
            Map.of(
                "punctual.database-url", "",
                "punctual.admin-key", ADMIN,
                "punctual.data-dir", Files.createTempDirectory("punctual-limits").toString(),
                "punctual.rate-limit", "5",
                "punctual.rate-limit-burst", "15",
                "punctual.max-jobs-per-tenant", "3"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Api newTenant() {
    String name = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Api.Response created = node.api(ADMIN).post("/api/v1/tenants", Map.of("name", name));
    assertThat(created.status()).isEqualTo(201);
    return node.api(created.body().path("apiKey").path("key").asString());
  }

  private static Map<String, Object> job(String name) {
    return Map.of(
        "name",
        name,
        "schedule",
        Map.of("cron", "0 9 * * *", "timezone", "UTC"),
        "target",
        Map.of("url", "https://example.com/hook"));
  }

  @Test
  void aBurstPastTheRateLimitGets429WithRetryAfterAndSparesOthers() throws Exception {
    Api noisy = newTenant();
    Api quiet = newTenant();
    List<Api.Response> answers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      answers.add(noisy.get("/api/v1/jobs"));
    }
    long ok = answers.stream().filter(r -> r.status() == 200).count();
    List<Api.Response> refused = answers.stream().filter(r -> r.status() == 429).toList();
    System.out.printf(
        "rate limit: 40 requests at once, %d answered, %d refused%n", ok, refused.size());
    // The bucket holds 15 and refills at 5/s while the loop runs: a few more may pass.
    assertThat(ok).isGreaterThanOrEqualTo(15L);
    assertThat(refused).isNotEmpty();
    assertThat(ok + refused.size()).isEqualTo(40);
    // The headers describe the bucket: its size, what is left, seconds until it is full.
    Api.Response firstAnswered = answers.get(0);
    assertThat(firstAnswered.header("X-RateLimit-Limit")).isEqualTo("15");
    assertThat(firstAnswered.header("X-RateLimit-Remaining")).isEqualTo("14");
    assertThat(firstAnswered.header("X-RateLimit-Reset")).isEqualTo("1");
    Api.Response first = refused.get(0);
    assertThat(first.contentType()).startsWith("application/problem+json");
    assertThat(first.body().path("status").asInt()).isEqualTo(429);
    assertThat(first.body().path("detail").asString()).contains("5 requests per second");
    assertThat(Integer.parseInt(first.header("Retry-After"))).isBetween(1, 2);
    assertThat(first.header("X-RateLimit-Limit")).isEqualTo("15");
    assertThat(first.header("X-RateLimit-Remaining")).isEqualTo("0");
    assertThat(first.header("X-RateLimit-Reset")).isEqualTo("3");

    // Another tenant and the admin are not limited by noisy's burst.
    assertThat(quiet.get("/api/v1/jobs").status()).isEqualTo(200);
    assertThat(node.api(ADMIN).get("/api/v1/tenants").status()).isEqualTo(200);

    // Within Retry-After, noisy is served again (refused requests spend no tokens).
    Awaitility.await("the noisy tenant's bucket refills")
        .atMost(Duration.ofSeconds(Integer.parseInt(first.header("Retry-After"))))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> noisy.get("/api/v1/jobs").status() == 200);

    String metrics = node.api(null).get("/actuator/prometheus").raw().body();
    assertThat(metrics).containsPattern("punctual_api_rate_limited_total(\\{[^}]*\\})? [1-9]");
  }

  @Test
  void theJobQuotaRefusesTheJobPastItAndFreesPlaceOnDelete() {
    Api tenant = newTenant();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Api.Response created = tenant.post("/api/v1/jobs", job("job-" + i));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      ids.add(created.body().path("id").asString());
    }
    Api.Response fourth = tenant.post("/api/v1/jobs", job("job-3"));
    assertThat(fourth.status()).isEqualTo(422);
    assertThat(fourth.contentType()).startsWith("application/problem+json");
    assertThat(fourth.body().path("title").asString()).isEqualTo("Job quota reached");
    assertThat(fourth.body().path("detail").asString()).contains("3 jobs");
    assertThat(tenant.get("/api/v1/jobs").body().path("items")).hasSize(3);

    assertThat(tenant.delete("/api/v1/jobs/" + ids.get(0)).status()).isEqualTo(204);
    assertThat(tenant.post("/api/v1/jobs", job("job-3")).status()).isEqualTo(201);
    // A failed create (name taken) does not use up a place.
    assertThat(tenant.post("/api/v1/jobs", job("job-3")).status()).isEqualTo(409);
    assertThat(tenant.get("/api/v1/jobs").body().path("items")).hasSize(3);
  }

  @Test
  void concurrentCreatesCannotOvershootTheQuota() throws Exception {
    Api tenant = newTenant();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String name = "racer-" + i;
        answers.add(pool.submit(() -> tenant.post("/api/v1/jobs", job(name)).status()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> answer : answers) {
        statuses.add(answer.get());
      }
      assertThat(statuses).filteredOn(s -> s == 201).hasSize(3);
      assertThat(statuses).filteredOn(s -> s == 422).hasSize(5);
    } finally {
      pool.shutdown();
    }
    assertThat(tenant.get("/api/v1/jobs").body().path("items")).hasSize(3);
  }
}
