package dev.punctual.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * OAuth 2.0 client-credentials targets against a local token server and a target that accepts only
 * the tokens that server issued and has not expired: every delivery carries a valid bearer token,
 * concurrent deliveries share one token request per token lifetime, the client secret is stored
 * sealed and shown as {@code ***}, a failing token endpoint fails the attempt with its reason, and
 * bad {@code auth} blocks are 400s naming the field.
 */
class OAuth2TargetsIT extends ApiTestBase {
  private static final Duration LIFETIME = Duration.ofSeconds(2);

  @Autowired private JdbcClient jdbc;

  /** Issues tokens to one client; remembers which are valid until when. */
  static final class TokenServer implements AutoCloseable {
    final String clientId = "client-" + UUID.randomUUID();
    final String clientSecret = "secret-value-" + UUID.randomUUID();
    final AtomicInteger requests = new AtomicInteger();
    final Map<String, Instant> issued = new ConcurrentHashMap<>();
    final List<String> forms = new ArrayList<>();
    volatile boolean failing;
    private final HttpServer server;

    TokenServer() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
      server.setExecutor(Executors.newCachedThreadPool());
      server.createContext("/token", this::handle);
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    boolean valid(String token) {
      Instant until = issued.get(token);
      return until != null && Instant.now().isBefore(until);
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.incrementAndGet();
        synchronized (forms) {
          forms.add(form);
        }
        String expected =
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        Map<String, String> fields = new HashMap<>();
        for (String pair : form.split("&")) {
          String[] kv = pair.split("=", 2);
          fields.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        if (failing) {
          exchange.sendResponseHeaders(500, -1);
          return;
        }
        if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))
            || !"client_credentials".equals(fields.get("grant_type"))) {
          exchange.sendResponseHeaders(401, -1);
          return;
        }
        String token = "tok-" + UUID.randomUUID();
        issued.put(token, Instant.now().plus(LIFETIME));
        byte[] body =
            ("{\"access_token\":\"%s\",\"token_type\":\"Bearer\",\"expires_in\":%d}"
                    .formatted(token, LIFETIME.toSeconds()))
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** Answers 204 to a currently valid token, 401 to anything else; records what it saw. */
  static final class ProtectedTarget implements AutoCloseable {
    final ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
    final AtomicInteger refused = new AtomicInteger();
    private final HttpServer server;

    ProtectedTarget(TokenServer tokens) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
      server.setExecutor(Executors.newCachedThreadPool());
      server.createContext(
          "/",
          exchange -> {
            try (exchange) {
              exchange.getRequestBody().readAllBytes();
              String auth = exchange.getRequestHeaders().getFirst("Authorization");
              String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : "";
              if (tokens.valid(token)) {
                accepted.add(exchange.getRequestHeaders().getFirst("X-Punctual-Run-Id"));
                exchange.sendResponseHeaders(204, -1);
              } else {
                refused.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
              }
            }
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private static Map<String, Object> auth(TokenServer tokens) {
    Map<String, Object> auth = new LinkedHashMap<>();
    auth.put("type", "oauth2");
    auth.put("tokenUrl", tokens.url());
    auth.put("clientId", tokens.clientId);
    auth.put("clientSecret", tokens.clientSecret);
    auth.put("scope", "jobs:write reports");
    auth.put("audience", "https://billing.example.com");
    return auth;
  }

  private static Map<String, Object> job(String name, String url, Object auth, String every) {
    return Map.of(
        "name", name,
        "schedule", Map.of("interval", every),
        "target", Map.of("url", url, "auth", auth),
        "retry", Map.of("maxAttempts", 1));
  }

  @Test
  void everyDeliveryCarriesAValidTokenAndOneTokenRequestServesALifetime() throws Exception {
    Api tenant = newTenant();
    try (TokenServer tokens = new TokenServer();
        ProtectedTarget target = new ProtectedTarget(tokens)) {
      List<String> jobs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Api.Response r =
            tenant.post("/api/v1/jobs", job("oauth-" + i, target.url(), auth(tokens), "PT1S"));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        jobs.add(r.body().path("id").asString());
      }
      Instant start = Instant.now();
      await("60 deliveries with a valid token")
          .atMost(Duration.ofSeconds(60))
          .until(() -> target.accepted.size() >= 60);
      for (String id : jobs) {
        tenant.post("/api/v1/jobs/" + id + "/pause", null);
      }
      double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
      int requests = tokens.requests.get();
      System.out.printf(
          "oauth2: %d deliveries accepted, %d refused, %d token requests in %.1f s (lifetime %d s)%n",
          target.accepted.size(), target.refused.get(), requests, seconds, LIFETIME.toSeconds());
      assertThat(target.refused.get()).as("deliveries refused by the target").isZero();
      // A new token a tenth of its lifetime before it expires: one request per 1.8 s, plus the
      // first, plus one a concurrent expiry may add.
      assertThat(requests).isLessThanOrEqualTo((int) Math.ceil(seconds / 1.8) + 2);
      assertThat(tokens.forms.get(0))
          .contains("grant_type=client_credentials")
          .contains("scope=jobs%3Awrite+reports")
          .contains("audience=https%3A%2F%2Fbilling.example.com");

      // The secret is shown as ***, stored sealed, and kept by a PUT that sends *** back.
      JsonNode shown = tenant.get("/api/v1/jobs/" + jobs.get(0)).body();
      assertThat(shown.path("target").path("auth").path("clientSecret").asString())
          .isEqualTo("***");
      assertThat(shown.path("target").path("auth").path("clientId").asString())
          .isEqualTo(tokens.clientId);
      String stored =
          jdbc.sql("select target::text from jobs where id = :id")
              .param("id", Long.parseLong(jobs.get(0)))
              .query(String.class)
              .single();
      assertThat(stored).doesNotContain(tokens.clientSecret).contains("enc:v1:");
      assertThat(tenant.put("/api/v1/jobs/" + jobs.get(0), shown, Map.of()).status())
          .isEqualTo(200);
      int before = target.accepted.size();
      tenant.post("/api/v1/jobs/" + jobs.get(0) + "/trigger", null);
      await("the job delivers after the PUT")
          .atMost(Duration.ofSeconds(20))
          .until(() -> target.accepted.size() > before);
      for (String id : jobs) {
        tenant.delete("/api/v1/jobs/" + id);
      }
    }
  }

  @Test
  void aFailingTokenEndpointFailsTheAttemptWithItsReason() throws Exception {
    Api tenant = newTenant();
    try (TokenServer tokens = new TokenServer();
        ProtectedTarget target = new ProtectedTarget(tokens)) {
      tokens.failing = true;
      Api.Response created =
          tenant.post("/api/v1/jobs", job("no-token", target.url(), auth(tokens), "PT1H"));
      String id = created.body().path("id").asString();
      String run =
          tenant.post("/api/v1/jobs/" + id + "/trigger", null).body().path("id").asString();
      await("the run fails")
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  tenant
                      .get("/api/v1/runs/" + run)
                      .body()
                      .path("status")
                      .asString()
                      .equals("FAILED"));
      JsonNode attempts = tenant.get("/api/v1/runs/" + run + "/attempts").body().path("items");
      assertThat(attempts.get(0).path("error").asString())
          .isEqualTo("oauth2 token: token endpoint answered HTTP 500");
      assertThat(target.accepted).isEmpty();
      assertThat(target.refused.get()).as("no request without a token").isZero();
      tenant.delete("/api/v1/jobs/" + id);
    }
  }

  @Test
  void badAuthBlocksAre400NamingTheField() throws Exception {
    Api tenant = newTenant();
    try (TokenServer tokens = new TokenServer()) {
      String url = "https://svc.example.com/hook";
      Map<String, Object> wrongType = new LinkedHashMap<>(auth(tokens));
      wrongType.put("type", "basic");
      assertThat(errors(tenant, job("a", url, wrongType, "PT1H"), "target.auth.type")).isNotEmpty();
      Map<String, Object> metadata = new LinkedHashMap<>(auth(tokens));
      metadata.put("tokenUrl", "http://169.254.169.254/token");
      assertThat(errors(tenant, job("b", url, metadata, "PT1H"), "target.auth.tokenUrl"))
          .isNotEmpty();
      Map<String, Object> placeholder = new LinkedHashMap<>(auth(tokens));
      placeholder.put("clientSecret", "***");
      assertThat(errors(tenant, job("c", url, placeholder, "PT1H"), "target.auth.clientSecret"))
          .isNotEmpty();
      Map<String, Object> noSecret = new LinkedHashMap<>(auth(tokens));
      noSecret.remove("clientSecret");
      assertThat(errors(tenant, job("d", url, noSecret, "PT1H"), "target.auth.clientSecret"))
          .isNotEmpty();
      Map<String, Object> unknown = new LinkedHashMap<>(auth(tokens));
      unknown.put("grant", "password");
      assertThat(errors(tenant, job("e", url, unknown, "PT1H"), "target.auth.grant")).isNotEmpty();
      Map<String, Object> both =
          Map.of(
              "name", "f",
              "schedule", Map.of("interval", "PT1H"),
              "target",
                  Map.of(
                      "url", url, "auth", auth(tokens), "headers", Map.of("Authorization", "x")));
      assertThat(errors(tenant, both, "target.headers.Authorization")).isNotEmpty();
      assertThat(errors(tenant, job("g", url, "oauth2", "PT1H"), "target.auth")).isNotEmpty();
    }
  }

  private static List<String> errors(Api tenant, Map<String, Object> job, String field) {
    Api.Response r = tenant.post("/api/v1/jobs", job);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    return r.errorsFor(field);
  }
}
