package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Guarantee 6 of docs/guarantees.md: no call of one tenant reads, changes or learns of another's
 * jobs.
 */
class TenantIsolationIT extends ApiTestBase {

  @Test
  void anotherTenantsJobDoesNotExistForMe() {
    Api owner = newTenant();
    Api intruder = newTenant();
    Api.Response created = owner.post("/api/v1/jobs", cronJob("secret-job"));
    String path = "/api/v1/jobs/" + created.body().path("id").asString();

    assertThat(intruder.get(path).status()).isEqualTo(404);
    assertThat(intruder.put(path, cronJob("stolen"), Map.of()).status()).isEqualTo(404);
    assertThat(intruder.patch(path, Map.of("enabled", false), Map.of()).status()).isEqualTo(404);
    assertThat(intruder.post(path + "/pause", null).status()).isEqualTo(404);
    assertThat(intruder.post(path + "/resume", null).status()).isEqualTo(404);
    assertThat(intruder.delete(path).status()).isEqualTo(404);
    assertThat(intruder.get("/api/v1/jobs").body().path("items")).isEmpty();
    assertThat(intruder.get("/api/v1/jobs?namePrefix=secret").body().path("items")).isEmpty();
    // The 404 says nothing that tells a foreign id from a missing one.
    Api.Response foreign = intruder.get(path);
    Api.Response missing = intruder.get("/api/v1/jobs/999999999");
    assertThat(foreign.body().path("title")).isEqualTo(missing.body().path("title"));
    // A same-named job of the intruder's own is no conflict, and is a different job.
    Api.Response own = intruder.post("/api/v1/jobs", cronJob("secret-job"));
    assertThat(own.status()).isEqualTo(201);
    assertThat(own.body().path("id")).isNotEqualTo(created.body().path("id"));

    // After all that, the owner's job is untouched.
    Api.Response after = owner.get(path);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.body()).isEqualTo(created.body());
  }

  @Test
  void anotherTenantsCursorShowsNothingOfTheirs() {
    Api owner = newTenant();
    Api intruder = newTenant();
    for (int i = 0; i < 3; i++) {
      owner.post("/api/v1/jobs", cronJob("job-" + i));
    }
    String cursor = owner.get("/api/v1/jobs?limit=1").body().path("nextCursor").asString();
    Api.Response page = intruder.get("/api/v1/jobs?cursor=" + cursor);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body().path("items")).isEmpty();
  }
}
