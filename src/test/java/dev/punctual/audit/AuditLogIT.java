package dev.punctual.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Every change through the API leaves one audit entry, written with the change (a refused or dry
 * change leaves none), naming the key, the action, the object and the client; a tenant reads its
 * own entries only, the admin every tenant's; pages follow cursors. The operations that change
 * something are read from the OpenAPI document, so a new one without its entry fails here.
 */
class AuditLogIT extends ApiTestBase {
  /** Each changing operation of the OpenAPI document and the action it records. */
  private static final Map<String, String> ACTION_OF =
      Map.ofEntries(
          Map.entry("createTenant", "tenant.create"),
          Map.entry("createKey", "key.create"),
          Map.entry("revokeKey", "key.revoke"),
          Map.entry("rotateSigningSecret", "signing-secret.rotate"),
          Map.entry("createJob", "job.create"),
          Map.entry("replaceJob", "job.replace"),
          Map.entry("patchJob", "job.update"),
          Map.entry("deleteJob", "job.delete"),
          Map.entry("pauseJob", "job.pause"),
          Map.entry("resumeJob", "job.resume"),
          Map.entry("triggerJob", "job.trigger"),
          Map.entry("backfillJob", "job.backfill"),
          Map.entry("replayRun", "run.replay"),
          Map.entry("replayRuns", "runs.replay"),
          Map.entry("setNotificationEndpoint", "notification-endpoint.set"),
          Map.entry("removeNotificationEndpoint", "notification-endpoint.remove"));

  @Test
  void everyChangeLeavesOneEntryReadableByItsTenantAndTheAdminOnly() throws Exception {
    assertThat(ACTION_OF.keySet()).isEqualTo(changingOperations());
    try (TargetServer target = new TargetServer()) {
      String name = "audited-" + UUID.randomUUID().toString().substring(0, 8);
      Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));
      assertThat(created.status()).isEqualTo(201);
      Api tenant = admin.as(created.body().path("apiKey").path("key").asString());
      String tenantKeyId = created.body().path("apiKey").path("id").asString();
      // A tenant comes with its first key.
      List<String> expected = new ArrayList<>(List.of("tenant.create", "key.create"));

      Api.Response readKey =
          admin.post("/api/v1/tenants/" + name + "/keys", Map.of("scope", "read"));
      String readKeyId = readKey.body().path("id").asString();
      assertThat(admin.delete("/api/v1/tenants/" + name + "/keys/" + readKeyId).status())
          .isEqualTo(204);
      assertThat(admin.post("/api/v1/tenants/" + name + "/signing-secrets", null).status())
          .isEqualTo(201);
      expected.addAll(List.of("key.create", "key.revoke", "signing-secret.rotate"));

      Map<String, Object> job =
          Map.of(
              "name", "audited",
              "schedule", Map.of("cron", "0 0 1 1 *", "timezone", "UTC"),
              "target", Map.of("url", target.url("/ok")));
      String jobId = tenant.post("/api/v1/jobs", job).body().path("id").asString();
      assertThat(tenant.post("/api/v1/jobs", job).status()).as("name taken").isEqualTo(409);
      Map<String, String> idempotent = Map.of("Idempotency-Key", "audit-" + UUID.randomUUID());
      Map<String, Object> second = new LinkedHashMap<>(job);
      second.put("name", "audited-2");
      assertThat(tenant.post("/api/v1/jobs", second, idempotent).status()).isEqualTo(201);
      assertThat(tenant.post("/api/v1/jobs", second, idempotent).status())
          .as("the same create again")
          .isEqualTo(201);
      expected.addAll(List.of("job.create", "job.create"));

      assertThat(tenant.put("/api/v1/jobs/" + jobId, job, Map.of()).status()).isEqualTo(200);
      assertThat(
              tenant
                  .patch(
                      "/api/v1/jobs/" + jobId,
                      Map.of("description", "stale"),
                      Map.of("Content-Type", "application/merge-patch+json", "If-Match", "\"99\""))
                  .status())
          .as("a stale If-Match")
          .isEqualTo(412);
      assertThat(
              tenant
                  .patch(
                      "/api/v1/jobs/" + jobId,
                      Map.of("description", "audited"),
                      Map.of("Content-Type", "application/merge-patch+json"))
                  .status())
          .isEqualTo(200);
      assertThat(
              tenant
                  .post(
                      "/api/v1/jobs/" + jobId + "/pause",
                      null,
                      Map.of("X-Forwarded-For", "203.0.113.7"))
                  .status())
          .isEqualTo(200);
      assertThat(tenant.post("/api/v1/jobs/" + jobId + "/resume", null).status()).isEqualTo(200);
      expected.addAll(List.of("job.replace", "job.update", "job.pause", "job.resume"));

      Api.Response triggered = tenant.post("/api/v1/jobs/" + jobId + "/trigger", null);
      assertThat(triggered.status()).isEqualTo(202);
      String runId = triggered.body().path("id").asString();
      Map<String, Object> range =
          Map.of("from", "2024-01-01T00:00:00Z", "to", "2025-12-31T00:00:00Z", "dryRun", true);
      assertThat(tenant.post("/api/v1/jobs/" + jobId + "/backfill", range).status())
          .as("a dry run")
          .isEqualTo(200);
      Map<String, Object> real = new LinkedHashMap<>(range);
      real.put("dryRun", false);
      assertThat(tenant.post("/api/v1/jobs/" + jobId + "/backfill", real).status()).isEqualTo(202);
      expected.addAll(List.of("job.trigger", "job.backfill"));

      await("the triggered run succeeds")
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  tenant
                      .get("/api/v1/runs/" + runId)
                      .body()
                      .path("status")
                      .asString()
                      .equals("SUCCEEDED"));
      assertThat(tenant.post("/api/v1/runs/" + runId + "/replay", null).status()).isEqualTo(202);
      assertThat(tenant.post("/api/v1/runs/replay", Map.of("dryRun", true)).status())
          .isEqualTo(200);
      assertThat(tenant.post("/api/v1/runs/replay", Map.of()).status()).isEqualTo(202);
      expected.addAll(List.of("run.replay", "runs.replay"));

      assertThat(
              tenant
                  .put(
                      "/api/v1/notifications/endpoint",
                      Map.of("url", target.url("/events?token=do-not-log")),
                      Map.of())
                  .status())
          .isEqualTo(200);
      assertThat(tenant.delete("/api/v1/notifications/endpoint").status()).isEqualTo(204);
      assertThat(tenant.delete("/api/v1/jobs/" + jobId).status()).isEqualTo(204);
      assertThat(tenant.delete("/api/v1/jobs/" + jobId).status()).isEqualTo(404);
      expected.addAll(
          List.of("notification-endpoint.set", "notification-endpoint.remove", "job.delete"));

      // The tenant's own view: every change once, newest first, and nothing else.
      List<JsonNode> entries = all(tenant, "/api/v1/audit?limit=4");
      List<String> actions = entries.stream().map(e -> e.path("action").asString()).toList();
      Collections.reverse(expected);
      assertThat(actions).isEqualTo(expected);
      assertThat(new TreeSet<>(actions)).isEqualTo(new TreeSet<>(ACTION_OF.values()));
      for (JsonNode e : entries) {
        assertThat(e.path("tenant").asString()).isEqualTo(name);
        assertThat(e.path("at").asString()).isNotBlank();
        assertThat(e.path("clientAddress").asString()).isEqualTo("127.0.0.1");
        boolean byAdmin =
            Set.of("tenant.create", "key.create", "key.revoke", "signing-secret.rotate")
                .contains(e.path("action").asString());
        assertThat(e.path("actor").asString()).isEqualTo(byAdmin ? "admin" : "tenant");
        assertThat(e.path("keyId").asString())
            .isEqualTo(byAdmin ? "PUNCTUAL_ADMIN_KEY" : tenantKeyId);
      }
      JsonNode pause = only(entries, "job.pause");
      assertThat(pause.path("objectType").asString()).isEqualTo("job");
      assertThat(pause.path("objectId").asString()).isEqualTo(jobId);
      assertThat(pause.path("forwardedFor").asString()).isEqualTo("203.0.113.7");
      assertThat(only(entries, "key.revoke").path("objectId").asString()).isEqualTo(readKeyId);
      assertThat(only(entries, "run.replay").path("objectId").asString()).isEqualTo(runId);
      assertThat(only(entries, "job.trigger").path("detail").asString()).isEqualTo("run " + runId);
      assertThat(only(entries, "notification-endpoint.set").toString())
          .doesNotContain("do-not-log");

      // The admin sees the same entries by tenant name, and every tenant's without one.
      assertThat(all(admin, "/api/v1/audit?limit=7&tenant=" + name)).isEqualTo(entries);
      assertThat(admin.get("/api/v1/audit?limit=500").body().path("items").size())
          .isGreaterThanOrEqualTo(entries.size());
      List<JsonNode> pauses = all(tenant, "/api/v1/audit?action=job.pause");
      assertThat(pauses).containsExactly(pause);

      // Another tenant reads none of them, and may not ask for them.
      Api other = newTenant();
      assertThat(all(other, "/api/v1/audit"))
          .extracting(e -> e.path("tenant").asString())
          .doesNotContain(name)
          .isNotEmpty(); // its own tenant.create
      Api.Response asked = other.get("/api/v1/audit?tenant=" + name);
      assertThat(asked.status()).isEqualTo(400);
      assertThat(asked.errorsFor("tenant")).isNotEmpty();
      assertThat(tenant.get("/api/v1/audit?action=job.explode").errorsFor("action")).isNotEmpty();
      assertThat(tenant.get("/api/v1/audit?limit=0").errorsFor("limit")).isNotEmpty();
      assertThat(tenant.get("/api/v1/audit?cursor=nope").errorsFor("cursor")).isNotEmpty();
    }
  }

  @Autowired private AuditRetention retention;
  @Autowired private JdbcClient jdbc;

  @Test
  void entriesAreKeptAsLongAsRuns() {
    // One entry past the retention (7 days by default), one within it.
    long old = insertEntry("8 days");
    long recent = insertEntry("6 days");
    while (retention.purgeBatch() > 0) {
      // until nothing past the retention is left
    }
    List<Long> left =
        jdbc.sql("select id from audit_log where id in (:ids)")
            .param("ids", List.of(old, recent))
            .query(Long.class)
            .list();
    assertThat(left).containsExactly(recent);
  }

  private long insertEntry(String age) {
    return jdbc.sql(
            """
            insert into audit_log (at, actor_kind, key_id, action, object_type)
            values (now() - cast(:age as interval), 'ADMIN', 'test', 'tenant.create', 'tenant')
            returning id
            """)
        .param("age", age)
        .query(Long.class)
        .single();
  }

  private Set<String> changingOperations() {
    Set<String> operations = new TreeSet<>();
    for (var path : admin.get("/v3/api-docs").body().path("paths").properties()) {
      for (var op : path.getValue().properties()) {
        if (Set.of("post", "put", "patch", "delete").contains(op.getKey())
            && !path.getKey().endsWith("/preview")) {
          operations.add(op.getValue().path("operationId").asString());
        }
      }
    }
    return operations;
  }

  /** Every entry, following the cursors from {@code first}. */
  private static List<JsonNode> all(Api api, String first) {
    List<JsonNode> entries = new ArrayList<>();
    String page = first;
    while (page != null) {
      Api.Response r = api.get(page);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      r.body().path("items").forEach(entries::add);
      JsonNode next = r.body().path("nextCursor");
      page =
          next.isNull() || next.isMissingNode()
              ? null
              : first + (first.contains("?") ? "&" : "?") + "cursor=" + next.asString();
    }
    return entries;
  }

  private static JsonNode only(List<JsonNode> entries, String action) {
    List<JsonNode> found =
        entries.stream().filter(e -> e.path("action").asString().equals(action)).toList();
    assertThat(found).as(action).hasSize(1);
    return found.get(0);
  }
}
