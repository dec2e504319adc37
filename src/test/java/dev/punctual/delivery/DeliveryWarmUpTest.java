package dev.punctual.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The delivery warm-up on its own: every request answered by its sink, and its time limit kept. */
class DeliveryWarmUpTest {

  @Test
  void everyRequestReachesTheSinkThroughTheDeliveryClasses() throws Exception {
    DeliveryWarmUp.Result result =
        DeliveryWarmUp.run(300, Duration.ofSeconds(30), "test", Clock.systemUTC());
    assertThat(result.delivered()).isEqualTo(300);
    assertThat(result.failed()).isZero();
  }

  @Test
  void itStopsAtItsLimitWithEveryRequestSentAnswered() throws Exception {
    DeliveryWarmUp.Result result =
        DeliveryWarmUp.run(1_000_000, Duration.ofMillis(300), "test", Clock.systemUTC());
    assertThat(result.delivered()).isBetween(1, 999_999);
    assertThat(result.failed()).isZero();
    // The limit, plus the requests in flight at that moment (each answered at once).
    assertThat(result.took()).isLessThan(Duration.ofSeconds(5));
  }
}
