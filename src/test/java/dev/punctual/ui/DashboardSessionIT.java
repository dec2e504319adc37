package dev.punctual.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's session, from outside: a key opens it, the cookie then stands for the key on the
 * API (and no more than the key), a change without the session's CSRF token is refused, signing out
 * or revoking the key ends it, and the pages carry a Content-Security-Policy without inline
 * scripts. The browser walks through the same in {@link DashboardBrowserIT}.
 */
class DashboardSessionIT extends ApiTestBase {

  record Session(String cookie, String csrf, Api.Response answer) {}

  private Session signIn(String key) {
    Api.Response answer = anonymous.post("/ui/session", Map.of("key", key));
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    String setCookie = answer.header("Set-Cookie");
    assertThat(setCookie)
        .startsWith("punctual_session=")
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .contains("Path=/");
    return new Session(
        setCookie.substring(0, setCookie.indexOf(';')),
        answer.body().path("csrfToken").asString(),
        answer);
  }

  private Api.Response send(
      Session session, String method, String path, Object body, boolean csrf) {
    Map<String, String> headers =
        csrf
            ? Map.of("Cookie", session.cookie(), "X-CSRF-Token", session.csrf())
            : Map.of("Cookie", session.cookie());
    return anonymous.send(method, path, body, headers);
  }

  @Test
  void aSessionActsAsItsKeyAndEveryChangeNeedsTheCsrfToken() {
    Api tenant = newTenant();
    Session session = signIn(tenant.key());
    assertThat(session.answer().body().path("kind").asString()).isEqualTo("TENANT");
    assertThat(session.answer().body().path("scope").asString()).isEqualTo("write");
    assertThat(session.answer().body().toString()).doesNotContain(tenant.key());

    assertThat(send(session, "GET", "/api/v1/jobs", null, false).status()).isEqualTo(200);
    Api.Response refused = send(session, "POST", "/api/v1/jobs", cronJob("no-token"), false);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.body().path("detail").asString()).contains("CSRF");
    Api.Response wrong =
        anonymous.send(
            "POST",
            "/api/v1/jobs",
            cronJob("wrong-token"),
            Map.of("Cookie", session.cookie(), "X-CSRF-Token", session.csrf() + "x"));
    assertThat(wrong.status()).isEqualTo(403);
    assertThat(tenant.get("/api/v1/jobs").body().path("items")).isEmpty();

    Api.Response created = send(session, "POST", "/api/v1/jobs", cronJob("with-token"), true);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    // The audit log names the key the session was opened with.
    Api.Response audit = tenant.get("/api/v1/audit?action=job.create");
    assertThat(audit.body().path("items").get(0).path("keyId").asString())
        .isEqualTo(session.answer().body().path("keyId").asString());
  }

  @Test
  void aReadKeysSessionReadsOnly() {
    Api tenant = newTenant();
    String name = tenant.get("/api/v1/whoami").body().path("tenant").asString();
    String readKey =
        admin
            .post("/api/v1/tenants/" + name + "/keys", Map.of("scope", "read"))
            .body()
            .path("key")
            .asString();
    Session session = signIn(readKey);
    assertThat(session.answer().body().path("scope").asString()).isEqualTo("read");
    assertThat(send(session, "POST", "/api/v1/jobs", cronJob("read"), true).status())
        .isEqualTo(403);
    assertThat(send(session, "GET", "/api/v1/jobs", null, false).status()).isEqualTo(200);
  }

  @Test
  void signingOutOrRevokingTheKeyEndsTheSession() {
    Api tenant = newTenant();
    Session out = signIn(tenant.key());
    assertThat(send(out, "DELETE", "/ui/session", null, false).status())
        .as("signing out needs the token too")
        .isEqualTo(403);
    Api.Response signedOut = send(out, "DELETE", "/ui/session", null, true);
    assertThat(signedOut.status()).isEqualTo(204);
    assertThat(signedOut.header("Set-Cookie")).contains("Max-Age=0");
    assertThat(send(out, "GET", "/api/v1/jobs", null, false).status()).isEqualTo(401);
    assertThat(send(out, "GET", "/ui/session", null, false).status()).isEqualTo(401);

    Api.Response key =
        admin.post(
            "/api/v1/tenants/"
                + tenant.get("/api/v1/whoami").body().path("tenant").asString()
                + "/keys",
            null);
    String keyId = key.body().path("id").asString();
    Session revoked = signIn(key.body().path("key").asString());
    assertThat(send(revoked, "GET", "/api/v1/jobs", null, false).status()).isEqualTo(200);
    String tenantName = tenant.get("/api/v1/whoami").body().path("tenant").asString();
    assertThat(admin.delete("/api/v1/tenants/" + tenantName + "/keys/" + keyId).status())
        .isEqualTo(204);
    assertThat(send(revoked, "GET", "/api/v1/jobs", null, false).status()).isEqualTo(401);
  }

  @Test
  void aWrongKeyIsRefusedWithTheFieldNamed() {
    Api.Response wrong = anonymous.post("/ui/session", Map.of("key", "pk_nope_nope"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.errorsFor("key")).isNotEmpty();
    assertThat(wrong.header("Set-Cookie")).isNull();
    assertThat(anonymous.post("/ui/session", Map.of()).errorsFor("key")).isNotEmpty();
    assertThat(anonymous.post("/ui/session", Map.of("key", "x", "other", 1)).status())
        .isEqualTo(400);
    assertThat(anonymous.send("POST", "/ui/session", "{\"key\": ", Map.of()).status())
        .isEqualTo(400);
    assertThat(
            anonymous
                .send("POST", "/ui/session", null, Map.of("Content-Type", "application/json"))
                .status())
        .isEqualTo(400);
    assertThat(anonymous.post("/ui/session", Map.of("key", 42)).errorsFor("key")).isNotEmpty();
    Api.Response form =
        anonymous.send(
            "POST",
            "/ui/session",
            null,
            Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertThat(form.status()).as("a cross-site form cannot sign anyone in").isEqualTo(415);
  }

  @Test
  void thePagesForbidInlineScriptsAndFrames() {
    for (String path : new String[] {"/ui", "/ui/", "/ui/app.js", "/ui/app.css"}) {
      Api.Response page = anonymous.get(path);
      assertThat(page.status()).as(path).isEqualTo(200);
      String policy = page.header("Content-Security-Policy");
      assertThat(policy).contains("script-src 'self'").contains("frame-ancestors 'none'");
      assertThat(policy).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    String html = anonymous.get("/ui/").raw().body();
    assertThat(html).doesNotContainPattern("<script(?![^>]*\\bsrc=)");
    assertThat(html).doesNotContain("style=");
  }
}
