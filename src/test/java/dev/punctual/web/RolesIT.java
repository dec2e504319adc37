package dev.punctual.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import java.nio.file.Files;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** PUNCTUAL_ROLES without {@code api}: the node serves no API, but its probes and metrics. */
class RolesIT {
  @Test
  void aNodeWithoutTheApiRoleAnswers404OnTheApi() throws Exception {
    try (Node node =
        Node.start(
            Map.of(
                "punctual.database-url", "",
                "punctual.admin-key", "roles-admin",
                "punctual.data-dir", Files.createTempDirectory("punctual-roles").toString(),
                "punctual.roles", "scheduler,worker"))) {
      Api api = node.api("roles-admin");
      Api.Response refused = api.get("/api/v1/whoami");
      assertThat(refused.status()).isEqualTo(404);
      assertThat(refused.body().path("detail").asString()).contains("PUNCTUAL_ROLES");
      assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
      assertThat(api.get("/actuator/prometheus").status()).isEqualTo(200);
      // The dashboard calls the API, so it is not served where the API is not.
      assertThat(api.get("/ui/").status()).isEqualTo(404);
      assertThat(api.get("/ui/app.js").status()).isEqualTo(404);
    }
  }

  /** PUNCTUAL_UI_ENABLED=false: no pages, and no session cookie taken on the API. */
  @Test
  void theDashboardCanBeTurnedOff() throws Exception {
    try (Node node =
        Node.start(
            Map.of(
                "punctual.database-url", "",
                "punctual.admin-key", "ui-off-admin",
                "punctual.data-dir", Files.createTempDirectory("punctual-ui-off").toString(),
                "punctual.ui-enabled", "false"))) {
      Api anonymous = node.api(null);
      assertThat(anonymous.get("/ui").status()).isEqualTo(404);
      assertThat(anonymous.get("/ui/app.js").status()).isEqualTo(404);
      assertThat(anonymous.post("/ui/session", Map.of("key", "ui-off-admin")).status())
          .isEqualTo(404);
      assertThat(node.api("ui-off-admin").get("/api/v1/whoami").status()).isEqualTo(200);
    }
  }

  @Test
  void anUnknownRoleStopsTheStart() {
    Assertions.assertThatThrownBy(
            () ->
                Node.start(
                    Map.of(
                        "punctual.database-url", "",
                        "punctual.admin-key", "x",
                        "punctual.data-dir", Files.createTempDirectory("punctual-roles").toString(),
                        "punctual.roles", "api,cooking")))
        .hasStackTraceContaining("unknown role 'cooking'");
  }
}
