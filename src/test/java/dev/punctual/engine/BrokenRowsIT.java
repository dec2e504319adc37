package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.db.DatabaseUrl;
import dev.punctual.support.Api;
import dev.punctual.support.Node;
import dev.punctual.support.TargetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.JsonNode;

/**
 * Rows the engine cannot read, on two nodes, while healthy jobs fire every second: each bad row is
 * quarantined (BROKEN with its reason, or a FAILED run), the healthy jobs miss no fire time, and a
 * PUT repairs a broken job, which then fires again. Before the definition model, one such row
 * failed every claim of every node, and no job fired at all.
 */
class BrokenRowsIT {
  private static final String ADMIN = "broken-rows-admin";

  @Test
  void brokenRowsAreQuarantinedAndTheRestFiresOnTime() throws Exception {
    Path dir = Files.createTempDirectory("punctual-broken-rows");
    try (TargetServer target = new TargetServer();
        Node a = Node.start(settings("", dir.resolve("a")))) {
      String url = a.bean(DatabaseUrl.class).jdbcUrl();
      try (Node b = Node.start(settings(url, dir.resolve("b")))) {
        DriverManagerDataSource ds = new DriverManagerDataSource(url);
        ds.setUsername("postgres");
        JdbcClient sql = JdbcClient.create(ds);
        Api admin = a.api(ADMIN);
        String key =
            admin
                .post("/api/v1/tenants", Map.of("name", "broken-rows"))
                .body()
                .path("apiKey")
                .path("key")
                .asString();
        Api onA = a.api(key);
        Api onB = b.api(key);

        List<String> healthy = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          healthy.add(create(onA, "healthy-" + i, everySecond(), target.url("/healthy-" + i)));
        }
        // The rows to poison: valid when written through the API, as every row is.
        Map<String, String> poisoned = new LinkedHashMap<>();
        poisoned.put("zone", create(onA, "zone", everySecond(), target.url("/repaired")));
        poisoned.put("cron", create(onA, "cron", everySecond(), target.url("/never")));
        poisoned.put("target", create(onA, "target", everySecond(), target.url("/never")));
        poisoned.put("kind", create(onA, "kind", everySecond(), target.url("/never")));
        String runJob =
            create(
                onA,
                "run",
                Map.of("at", Instant.now().plus(Duration.ofDays(1)).toString()),
                target.url("/never"));

        await("every healthy job fired twice")
            .atMost(Duration.ofSeconds(30))
            .until(() -> healthy.stream().allMatch(id -> runCount(sql, id) >= 2));

        Instant poisonedAt = Instant.now();
        sql.sql(
                """
                update jobs set schedule = case name
                    when 'zone' then '{"cron":"* * * * * *","timezone":"Mars/Olympus_Mons"}'::json
                    when 'cron' then '{"cron":"61 * * * * *","timezone":"UTC"}'::json
                    else schedule end,
                  target = case name
                    when 'target' then '{"type":"http","method":"POST","timeout":"PT10S"}'::json
                    when 'kind' then '{"type":"carrier-pigeon","coop":"north"}'::json
                    else target end,
                  retry = case name when 'run' then '{"maxAttempts":"three"}'::json else retry end,
                  next_fire_at = case when name = 'run' then next_fire_at else now() end,
                  -- As a restart does (leases handed back): a node keeps a job firing every
                  -- second in its timer, and reads its row again only at the next claim.
                  lease_owner = null, lease_until = null, fencing_token = fencing_token + 1
                where name in ('zone', 'cron', 'target', 'kind', 'run')
                """)
            .update();
        Instant poisonDone = Instant.now();
        assertThat(onB.post("/api/v1/jobs/" + runJob + "/trigger", Map.of()).status())
            .isEqualTo(202);

        Map<String, String> reasons =
            Map.of(
                "zone", "Mars/Olympus_Mons",
                "cron", "61",
                "target", "url is missing",
                "kind", "unknown type 'carrier-pigeon'");
        await("every poisoned job is BROKEN with its reason")
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> poisoned.values().stream().allMatch(id -> "BROKEN".equals(state(onB, id))));
        for (Map.Entry<String, String> p : poisoned.entrySet()) {
          JsonNode job = onB.get("/api/v1/jobs/" + p.getValue()).body();
          assertThat(job.path("error").asString())
              .as("reason of " + p.getKey())
              .contains(reasons.get(p.getKey()));
          assertThat(job.path("nextRunAt").isNull()).isTrue();
        }
        assertThat(onA.get("/api/v1/jobs/" + healthy.get(0)).body().has("error")).isFalse();
        JsonNode listed = onA.get("/api/v1/jobs?state=BROKEN").body().path("items");
        assertThat(listed).hasSize(4);
        assertThat(onA.get("/api/v1/jobs?state=SICK").status()).isEqualTo(400);

        await("the run of the poisoned job FAILED with its reason")
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    onA.get("/api/v1/jobs/" + runJob + "/runs")
                        .body()
                        .path("items")
                        .path(0)
                        .path("status")
                        .asString()
                        .equals("FAILED"));
        JsonNode run = onA.get("/api/v1/jobs/" + runJob + "/runs").body().path("items").path(0);
        assertThat(run.path("error").asString()).contains("retry").contains("maxAttempts");
        assertThat(run.path("attempts").asInt()).isEqualTo(1);
        // Nothing fired for a poisoned row after the poisoning (runs fired before may deliver).
        assertThat(
                target.deliveries(
                    d ->
                        d.path().equals("/never")
                            && Instant.parse(d.header("X-Punctual-Scheduled-For"))
                                .isAfter(poisonDone)))
            .isEmpty();

        // Each row was quarantined by one node, once; both nodes' gauges count the four.
        await("both nodes' gauges show four broken jobs")
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    gauge(a, "punctual_jobs_broken") == 4 && gauge(b, "punctual_jobs_broken") == 4);
        assertThat(
                gauge(a, "punctual_jobs_marked_broken_total")
                    + gauge(b, "punctual_jobs_marked_broken_total"))
            .isEqualTo(4);

        // A PUT with a valid definition repairs the job: ACTIVE, and it fires again.
        String zone = poisoned.get("zone");
        Api.Response repaired =
            onB.put(
                "/api/v1/jobs/" + zone,
                jobBody("zone", everySecond(), target.url("/repaired")),
                Map.of());
        assertThat(repaired.status()).isEqualTo(200);
        assertThat(repaired.body().path("state").asString()).isEqualTo("ACTIVE");
        assertThat(repaired.body().has("error")).isFalse();
        await("the repaired job fires again")
            .atMost(Duration.ofSeconds(10))
            .until(() -> !target.deliveries(d -> d.path().equals("/repaired")).isEmpty());
        assertThat(onA.get("/api/v1/jobs?state=BROKEN").body().path("items")).hasSize(3);

        // A write that changes only the target reaches a job a node keeps in its timer from fire
        // to fire (every second): the write takes the job back, and the next fire uses the new
        // target. (Before, the node fired the old target until its lease chain broke.)
        Api.Response moved =
            onA.patch(
                "/api/v1/jobs/" + healthy.get(0),
                Map.of("target", Map.of("url", target.url("/moved"))),
                Map.of("Content-Type", "application/merge-patch+json"));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.body().path("target").path("url").asString()).endsWith("/moved");
        try {
          await("the patched target receives the next fires")
              .atMost(Duration.ofSeconds(10))
              .until(() -> !target.deliveries(d -> d.path().equals("/moved")).isEmpty());
        } catch (ConditionTimeoutException e) {
          System.out.println("DIAG job " + onA.get("/api/v1/jobs/" + healthy.get(0)).body());
          System.out.println(
              "DIAG row "
                  + sql.sql(
                          "select next_fire_at, lease_owner, lease_until, fencing_token, version,"
                              + " now() from jobs where id = :id")
                      .param("id", Long.parseLong(healthy.get(0)))
                      .query()
                      .listOfRows());
          System.out.println(
              "DIAG runs "
                  + sql.sql(
                          "select id, scheduled_for, created_at, status, attempts, error,"
                              + " result_code from runs where job_id = :id order by id desc limit 8")
                      .param("id", Long.parseLong(healthy.get(0)))
                      .query()
                      .listOfRows());
          System.out.println(
              "DIAG last deliveries "
                  + target.deliveries().stream()
                      .skip(Math.max(0, target.deliveries().size() - 8))
                      .map(d -> d.path() + "@" + d.receivedAt())
                      .toList());
          throw e;
        }

        // The healthy jobs missed no fire time from before the poisoning until now.
        Instant end = poisonedAt.plusSeconds(8);
        await("every healthy job fired past " + end)
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    healthy.stream()
                        .allMatch(
                            id ->
                                sql.sql(
                                            "select count(*) from runs where job_id = :id"
                                                + " and scheduled_for > :end")
                                        .param("id", Long.parseLong(id))
                                        .param("end", Timestamp.from(end))
                                        .query(Long.class)
                                        .single()
                                    > 0));
        for (String id : healthy) {
          List<Instant> times =
              sql.sql(
                      """
                      select scheduled_for from runs
                      where job_id = :id and scheduled_for between :from and :to
                      order by scheduled_for
                      """)
                  .param("id", Long.parseLong(id))
                  .param("from", Timestamp.from(poisonedAt.minusSeconds(1)))
                  .param("to", Timestamp.from(end))
                  .query((rs, n) -> rs.getTimestamp(1).toInstant())
                  .list();
          assertThat(times).as("fire times of healthy job " + id).hasSizeGreaterThanOrEqualTo(8);
          for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i)))
                .as("gap before " + times.get(i) + " in job " + id)
                .isEqualTo(Duration.ofSeconds(1));
          }
        }
      }
    }
  }

  private static Map<String, String> settings(String databaseUrl, Path dataDir) {
    return Map.of(
        "punctual.database-url",
        databaseUrl,
        "punctual.admin-key",
        ADMIN,
        "punctual.data-dir",
        dataDir.toString(),
        "punctual.egress-allow",
        "127.0.0.0/8");
  }

  private static Map<String, Object> everySecond() {
    return Map.of("interval", "PT1S");
  }

  private static Map<String, Object> jobBody(
      String name, Map<String, Object> schedule, String url) {
    return Map.of(
        "name", name, "schedule", schedule, "target", Map.of("url", url), "overlap", "ALLOW");
  }

  private static String create(Api api, String name, Map<String, Object> schedule, String url) {
    Api.Response created = api.post("/api/v1/jobs", jobBody(name, schedule, url));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return created.body().path("id").asString();
  }

  private static String state(Api api, String id) {
    return api.get("/api/v1/jobs/" + id).body().path("state").asString();
  }

  private static long runCount(JdbcClient sql, String id) {
    return sql.sql("select count(*) from runs where job_id = :id")
        .param("id", Long.parseLong(id))
        .query(Long.class)
        .single();
  }

  /** A metric's value on a node's {@code /actuator/prometheus} (0 when absent). */
  private static double gauge(Node node, String name) {
    String text = node.api(null).get("/actuator/prometheus").raw().body();
    Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(2)) : 0;
  }
}
