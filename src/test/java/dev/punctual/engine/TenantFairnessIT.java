package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.TargetServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One tenant's burst must not delay another tenant's fires: tenant "noisy" has 10,000 one-shot jobs
 * due at once, each calling a target that takes three seconds to answer; tenant "quiet" has jobs
 * firing every second to a fast target. With the service's defaults (1,000 fires per second and 64
 * deliveries in flight per tenant, tenants served in turn) every quiet delivery arrives within a
 * second of its time. With both caps off, noisy's slow deliveries take every slot and quiet waits
 * for one to free, which shows the test can fail.
 */
class TenantFairnessIT {
  private static final int BURST = 10_000;
  private static final int QUIET_JOBS = 5;
  private static final Duration WATCH = Duration.ofSeconds(10);

  /**
   * What a scenario saw; {@code noisyFired}: noisy's runs three seconds after the burst was due.
   */
  record Figures(long quietDeliveries, long quietExpected, Duration maxQuietLag, long noisyFired) {}

  @Test
  void anotherTenantsBurstDoesNotDelayQuietTenant() throws Exception {
    Figures f = scenario(EngineHarness.settings());
    System.out.printf(
        "fairness (caps on): quiet deliveries %d of %d expected, max quiet lag %d ms;"
            + " noisy fired after 3 s: %d of %d%n",
        f.quietDeliveries(), f.quietExpected(), f.maxQuietLag().toMillis(), f.noisyFired(), BURST);
    assertThat(f.quietDeliveries()).isGreaterThanOrEqualTo(f.quietExpected());
    assertThat(f.maxQuietLag()).isLessThan(Duration.ofSeconds(1));
    // The noisy tenant's fires are paced by its budget, spent when jobs are claimed (2 s ahead):
    // a second's worth at once, then 1,000/s over 5 s, plus at most a claim batch of overdraft.
    assertThat(f.noisyFired()).isBetween(2_000L, 1_000L + 5 * 1_000L + 500L);
  }

  @Test
  void withoutTheCapsTheBurstDelaysQuietTenant() throws Exception {
    Figures f = scenario(EngineHarness.builder().tenantFireRate(0).tenantMaxInFlight(256).build());
    System.out.printf(
        "fairness (caps off): quiet deliveries %d of %d expected, max quiet lag %d ms;"
            + " noisy fired after 3 s: %d of %d%n",
        f.quietDeliveries(), f.quietExpected(), f.maxQuietLag().toMillis(), f.noisyFired(), BURST);
    assertThat(f.maxQuietLag()).isGreaterThan(Duration.ofSeconds(1));
  }

  private Figures scenario(EngineSettings settings) throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer()) {
      long noisy = h.newTenant("noisy");
      Instant start = Instant.now().plusSeconds(3);
      h.insertOneShots(noisy, "burst-", BURST, start, target.url("/sleep/3000"));
      for (int i = 0; i < QUIET_JOBS; i++) {
        h.insertEverySecond("quiet-" + i, start, target.url("/ok"));
      }
      h.start("fair-node", settings);
      sleepUntil(start.plusSeconds(3));
      long noisyFired =
          h.sql
              .sql("select count(*) from runs where tenant_id = :t")
              .param("t", noisy)
              .query(Long.class)
              .single();
      Instant end = start.plus(WATCH);
      sleepUntil(end);
      // Every quiet fire time up to a second before the end must have arrived by now.
      List<TargetServer.Delivery> quiet = target.deliveries(d -> d.path().equals("/ok"));
      Duration maxLag = Duration.ZERO;
      for (TargetServer.Delivery d : quiet) {
        Instant scheduled = Instant.parse(d.header("X-Punctual-Scheduled-For"));
        Duration lag = Duration.between(scheduled, d.receivedAt());
        maxLag = lag.compareTo(maxLag) > 0 ? lag : maxLag;
      }
      long expected = QUIET_JOBS * (WATCH.toSeconds() - 1);
      long deliveredInTime =
          quiet.stream()
              .filter(
                  d ->
                      Instant.parse(d.header("X-Punctual-Scheduled-For"))
                          .isBefore(end.minusSeconds(1)))
              .count();
      return new Figures(deliveredInTime, expected, maxLag, noisyFired);
    }
  }

  private static void sleepUntil(Instant instant) throws InterruptedException {
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), instant).toMillis()));
  }
}
