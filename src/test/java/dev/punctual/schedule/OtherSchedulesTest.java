package dev.punctual.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class OtherSchedulesTest {
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  @Test
  void intervalIsFixedRateFromStartAt() {
    IntervalSchedule every30s =
        new IntervalSchedule(Duration.ofSeconds(30), T0, Schedule.Bounds.NONE);
    assertThat(every30s.nextAfter(T0.minusSeconds(100))).contains(T0);
    assertThat(every30s.nextAfter(T0)).contains(T0.plusSeconds(30));
    assertThat(every30s.nextAfter(T0.plusSeconds(31))).contains(T0.plusSeconds(60));
    assertThat(every30s.nextAfter(T0.plusSeconds(60))).contains(T0.plusSeconds(90));
  }

  @Test
  void intervalFromFarInThePastDoesNotOverflow() {
    IntervalSchedule s =
        new IntervalSchedule(
            Duration.ofSeconds(1), Instant.parse("0001-01-01T00:00:00Z"), Schedule.Bounds.NONE);
    assertThat(s.nextAfter(T0.plusMillis(1))).contains(T0.plusSeconds(1));
  }

  @Test
  void intervalBelowOneSecondIsRejected() {
    assertThatThrownBy(() -> new IntervalSchedule(Duration.ofMillis(999), T0, Schedule.Bounds.NONE))
        .hasMessageContaining("at least PT1S");
  }

  @Test
  void onceFiresOnceAndIsOwedWhenPast() {
    OnceSchedule once = new OnceSchedule(T0, Schedule.Bounds.NONE);
    assertThat(once.nextAfter(T0.minusSeconds(1))).contains(T0);
    assertThat(once.nextAfter(T0)).isEmpty();
    assertThat(once.firstFireTime(T0.plusSeconds(3600))).contains(T0);
  }

  @Test
  void boundsAreInclusiveAndEndTheSchedule() {
    Schedule hourly =
        new CronSchedule(
            CronExpression.parse("0 * * * *"),
            ZoneId.of("UTC"),
            new Schedule.Bounds(T0.plusSeconds(3600), T0.plusSeconds(3 * 3600)));
    assertThat(hourly.preview(T0.minusSeconds(7200), 10))
        .containsExactly(T0.plusSeconds(3600), T0.plusSeconds(7200), T0.plusSeconds(10800));
    assertThat(hourly.nextAfter(T0.plusSeconds(10800))).isEmpty();
  }

  @Test
  void notAfterBeforeNotBeforeIsRejected() {
    assertThatThrownBy(() -> new Schedule.Bounds(T0, T0.minusSeconds(1)))
        .isInstanceOf(InvalidScheduleException.class)
        .extracting(e -> ((InvalidScheduleException) e).field())
        .isEqualTo("notAfter");
  }
}
