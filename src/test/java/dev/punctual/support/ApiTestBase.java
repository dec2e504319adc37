package dev.punctual.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole service on a random port, over real HTTP, on a real PostgreSQL: the embedded one by
 * default, or the server named by {@code DATABASE_URL} (the suite passes on both). One context is
 * shared by every test class that extends this one; tests make their own tenants, with random
 * names, so they never see each other's data, even on a server database kept between runs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ApiTestBase {
  protected static final String ADMIN_KEY = "test-admin-key-" + UUID.randomUUID();

  /**
   * The secret key of every node the tests start: nodes sharing a database must share it, and the
   * suite's nodes share the server database of DATABASE_URL (docs/security.md, "Secrets at rest").
   */
  public static final String SECRET_KEY =
      Base64.getEncoder()
          .encodeToString("test-secret-key-of-32-bytes-long".getBytes(StandardCharsets.UTF_8));

  @LocalServerPort protected int port;

  protected Api admin;
  protected Api anonymous;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("punctual.admin-key", () -> ADMIN_KEY);
    registry.add("punctual.secret-key", () -> SECRET_KEY);
    registry.add("punctual.data-dir", () -> "target/test-data/" + UUID.randomUUID());
    // The tests' HTTP targets listen on loopback, which the egress guard denies by default.
    registry.add("punctual.egress-allow", () -> "127.0.0.0/8");
    // The shared context's tests make many requests per tenant in a burst; the per-tenant limits
    // have their own node and tests (TenantLimitsIT).
    registry.add("punctual.rate-limit", () -> "0");
    // The delivery warm-up has its own tests (WarmUpOnStartIT, WarmStartIT).
    registry.add("punctual.engine.warm-up-requests", () -> "0");
  }

  @BeforeEach
  void clients() {
    admin = new Api("http://127.0.0.1:" + port, ADMIN_KEY);
    anonymous = new Api("http://127.0.0.1:" + port, null);
  }

  /** A new tenant with a random name; returns a client holding its key. */
  protected Api newTenant() {
    return newTenantWithSecret().api();
  }

  /** A tenant's client and its webhook signing secret (shown once, at creation). */
  protected record NewTenant(Api api, String signingSecret) {}

  protected NewTenant newTenantWithSecret() {
    String name = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    Api.Response created = admin.post("/api/v1/tenants", Map.of("name", name));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    return new NewTenant(
        admin.as(created.body().path("apiKey").path("key").asString()),
        created.body().path("signingSecret").asString());
  }

  /** A valid job body: a cron job named {@code name}. */
  protected static Map<String, Object> cronJob(String name) {
    return Map.of(
        "name",
        name,
        "schedule",
        Map.of("cron", "0 9 * * MON-FRI", "timezone", "Europe/Berlin"),
        "target",
        Map.of("url", "https://billing.example.com/hooks/report"));
  }
}
