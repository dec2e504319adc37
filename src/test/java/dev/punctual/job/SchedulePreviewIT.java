package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulePreviewIT extends ApiTestBase {

  private static List<String> times(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    List<String> times = new ArrayList<>();
    r.body().path("fireTimes").forEach(t -> times.add(t.asString()));
    return times;
  }

  @Test
  void previewFollowsTheDstRule() {
    Api tenant = newTenant();
    Api.Response r =
        tenant.post(
            "/api/v1/schedules/preview",
            Map.of(
                "schedule",
                Map.of("cron", "30 2 * * *", "timezone", "Europe/Berlin"),
                "after",
                "2026-03-28T00:00:00Z",
                "count",
                3));
    assertThat(times(r))
        .containsExactly("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z");
    // Each time in the zone, the one the jump moved marked.
    assertThat(r.body().path("details").get(0).path("local").asString())
        .isEqualTo("2026-03-28T02:30:00+01:00");
    assertThat(r.body().path("details").get(0).has("dst")).isFalse();
    assertThat(r.body().path("details").get(1).path("dst").asString()).isEqualTo("GAP");
    assertThat(r.body().path("details").get(1).path("local").asString())
        .isEqualTo("2026-03-29T03:00:00+02:00");
  }

  @Test
  void previewMarksTheRepeatedHourAndOnlyTheTimesTheJumpMoved() {
    Api tenant = newTenant();
    // 02:30 happens twice on 2026-10-25 in Berlin: fired once, at the first pass (00:30Z).
    Api.Response fallBack =
        tenant.post(
            "/api/v1/schedules/preview",
            Map.of(
                "schedule",
                Map.of("cron", "30 2 * * *", "timezone", "Europe/Berlin"),
                "after",
                "2026-10-24T12:00:00Z",
                "count",
                2));
    assertThat(times(fallBack)).containsExactly("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
    assertThat(fallBack.body().path("details").get(0).path("dst").asString()).isEqualTo("OVERLAP");
    assertThat(fallBack.body().path("details").get(1).has("dst")).isFalse();
    // 03:00 itself exists on the day of the jump: it fires at 01:00Z but was not moved.
    Api.Response onTheHour =
        tenant.post(
            "/api/v1/schedules/preview",
            Map.of(
                "schedule",
                Map.of("cron", "0 3 * * *", "timezone", "Europe/Berlin"),
                "after",
                "2026-03-28T12:00:00Z",
                "count",
                1));
    assertThat(times(onTheHour)).containsExactly("2026-03-29T01:00:00Z");
    assertThat(onTheHour.body().path("details").get(0).has("dst")).isFalse();
    // An interval has no zone: its local times are UTC, never moved.
    Api.Response interval =
        tenant.post(
            "/api/v1/schedules/preview",
            Map.of("schedule", Map.of("interval", "PT1H"), "count", 1));
    assertThat(interval.body().path("details").get(0).path("local").asString()).endsWith("Z");
  }

  @Test
  void defaultsAreTenTimesAfterNowAndEndingSchedulesGiveFewer() {
    Api tenant = newTenant();
    Instant before = Instant.now();
    List<String> ten =
        times(
            tenant.post(
                "/api/v1/schedules/preview", Map.of("schedule", Map.of("cron", "* * * * *"))));
    assertThat(ten).hasSize(10);
    assertThat(Instant.parse(ten.get(0))).isAfter(before);

    List<String> once =
        times(
            tenant.post(
                "/api/v1/schedules/preview",
                Map.of("schedule", Map.of("at", "2030-01-01T00:00:00Z"), "count", 5)));
    assertThat(once).containsExactly("2030-01-01T00:00:00Z");

    List<String> bounded =
        times(
            tenant.post(
                "/api/v1/schedules/preview",
                Map.of(
                    "schedule",
                    Map.of(
                        "interval", "PT1H",
                        "startAt", "2030-01-01T00:00:00Z",
                        "notAfter", "2030-01-01T02:00:00Z"),
                    "after",
                    "2029-01-01T00:00:00Z",
                    "count",
                    100)));
    assertThat(bounded)
        .containsExactly("2030-01-01T00:00:00Z", "2030-01-01T01:00:00Z", "2030-01-01T02:00:00Z");
  }

  @Test
  void theAdminKeyMayPreviewToo() {
    assertThat(
            admin
                .post("/api/v1/schedules/preview", Map.of("schedule", Map.of("cron", "@daily")))
                .status())
        .isEqualTo(200);
  }

  @Test
  void invalidPreviewsAre400() {
    Api tenant = newTenant();
    Api.Response badCount =
        tenant.post(
            "/api/v1/schedules/preview",
            Map.of("schedule", Map.of("cron", "* * * * *"), "count", 101));
    assertThat(badCount.errorsFor("count")).isNotEmpty();
    Api.Response badCron =
        tenant.post("/api/v1/schedules/preview", Map.of("schedule", Map.of("cron", "@reboot")));
    assertThat(badCron.errorsFor("schedule.cron")).isNotEmpty();
    Api.Response badAfter =
        tenant.post(
            "/api/v1/schedules/preview",
            Map.of("schedule", Map.of("cron", "* * * * *"), "after", "yesterday"));
    assertThat(badAfter.errorsFor("after")).isNotEmpty();
    assertThat(anonymous.post("/api/v1/schedules/preview", Map.of()).status()).isEqualTo(401);
  }
}
