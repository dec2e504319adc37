package dev.punctual.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Named cases: each DST shape of the rule of docs/guarantees.md, leap days, the grammar and its
 * errors.
 */
class CronScheduleTest {

  private static List<Instant> fires(String cron, String zone, String after, int count) {
    return new CronSchedule(CronExpression.parse(cron), ZoneId.of(zone), Schedule.Bounds.NONE)
        .preview(Instant.parse(after), count);
  }

  private static List<Instant> instants(String... texts) {
    return Arrays.stream(texts).map(Instant::parse).toList();
  }

  @Test
  void berlinSpringForwardFiresASkippedTimeAtTheJump() {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00Z; 02:30 does not exist that day.
    assertThat(fires("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", 3))
        .isEqualTo(
            instants("2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"));
  }

  @Test
  void berlinSpringForwardFiresSeveralSkippedTimesOnce() {
    assertThat(fires("*/15 2 * * *", "Europe/Berlin", "2026-03-28T23:00:00Z", 2))
        .isEqualTo(instants("2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"));
  }

  @Test
  void berlinSpringForwardDoesNotDoubleWhenTheJumpTargetAlsoMatches() {
    // 02:00, 02:30 (skipped) and 03:00 all land on 01:00Z: one fire.
    assertThat(fires("0,30 2,3 * * *", "Europe/Berlin", "2026-03-28T23:00:00Z", 3))
        .isEqualTo(
            instants("2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:00:00Z"));
  }

  @Test
  void berlinFallBackFiresARepeatedTimeOnceAtItsFirstOccurrence() {
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00Z; 02:30 happens twice.
    assertThat(fires("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", 2))
        .isEqualTo(instants("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"));
  }

  @Test
  void berlinFallBackHourlySkipsTheSecondPass() {
    assertThat(fires("0 * * * *", "Europe/Berlin", "2026-10-24T22:30:00Z", 3))
        .isEqualTo(
            instants("2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z"));
  }

  @Test
  void searchFromInsideTheSecondPassDoesNotFireRepeatedTimes() {
    // 01:30Z is 02:30 CET, the second pass; the next fire is 03:00 CET.
    assertThat(fires("*/30 * * * *", "Europe/Berlin", "2026-10-25T01:10:00Z", 1))
        .isEqualTo(instants("2026-10-25T02:00:00Z"));
  }

  @Test
  void newYorkSpringForwardAndFallBack() {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00Z.
    assertThat(fires("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", 2))
        .isEqualTo(instants("2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"));
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:30 happens twice.
    assertThat(fires("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2))
        .isEqualTo(instants("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"));
  }

  @Test
  void cairoMidnightThatDoesNotExistFiresAtTheJumpNotADayLater() {
    // Egypt springs forward at 00:00 on the last Friday of April: 2026-04-24 has no midnight.
    // The jump is at 2026-04-23T22:00Z (00:00 EET); Spring's CronExpression skips the whole day.
    assertThat(fires("0 0 * * *", "Africa/Cairo", "2026-04-23T12:00:00Z", 2))
        .isEqualTo(instants("2026-04-23T22:00:00Z", "2026-04-24T21:00:00Z"));
  }

  @Test
  void lordHoweHalfHourShifts() {
    // Spring forward 2026-10-04 02:00 (+10:30) to 02:30 (+11:00) at 2026-10-03T15:30Z.
    assertThat(fires("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", 2))
        .isEqualTo(instants("2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"));
    // Fall back 2026-04-05 02:00 (+11:00) to 01:30 (+10:30) at 2026-04-04T15:00Z.
    assertThat(fires("45 1 * * *", "Australia/Lord_Howe", "2026-04-04T00:00:00Z", 2))
        .isEqualTo(instants("2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"));
  }

  @Test
  void leapDaysOnlyAndTheSkippedLeapYear2100() {
    assertThat(fires("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 2))
        .isEqualTo(instants("2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"));
    assertThat(fires("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", 1))
        .isEqualTo(instants("2104-02-29T00:00:00Z"));
  }

  @Test
  void impossibleDatesNeverFire() {
    assertThat(fires("0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z", 1)).isEmpty();
  }

  @Test
  void dayOfMonthAndDayOfWeekBothRestrictedMeansEither() {
    // The 13th, or any Friday: 2026-11-27 is a Friday, 2026-12-04 too, 2026-12-13 a Sunday.
    assertThat(fires("0 12 13 * FRI", "UTC", "2026-11-27T13:00:00Z", 3))
        .isEqualTo(
            instants("2026-12-04T12:00:00Z", "2026-12-11T12:00:00Z", "2026-12-13T12:00:00Z"));
  }

  @Test
  void secondsNamesMacrosAndSundayAsSeven() {
    assertThat(fires("*/20 * * * * *", "UTC", "2026-01-01T00:00:00.500Z", 3))
        .isEqualTo(
            instants("2026-01-01T00:00:20Z", "2026-01-01T00:00:40Z", "2026-01-01T00:01:00Z"));
    assertThat(fires("0 9 * jan-feb mon-fri", "Europe/Berlin", "2026-01-02T12:00:00Z", 1))
        .isEqualTo(instants("2026-01-05T08:00:00Z"));
    assertThat(fires("0 0 * * 7", "UTC", "2026-11-27T00:00:00Z", 1))
        .isEqualTo(fires("0 0 * * SUN", "UTC", "2026-11-27T00:00:00Z", 1));
    assertThat(fires("@weekly", "UTC", "2026-11-27T00:00:00Z", 1))
        .isEqualTo(instants("2026-11-29T00:00:00Z"));
    assertThat(fires("@hourly", "UTC", "2026-11-27T00:00:00Z", 1))
        .isEqualTo(instants("2026-11-27T01:00:00Z"));
    assertThat(fires("0 0 ? * MON", "UTC", "2026-11-27T00:00:00Z", 1))
        .isEqualTo(instants("2026-11-30T00:00:00Z"));
    assertThat(fires("5/20 * * * *", "UTC", "2026-11-27T00:06:00Z", 2))
        .isEqualTo(instants("2026-11-27T00:25:00Z", "2026-11-27T00:45:00Z"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|must not be empty",
        "* * *|must have 5 fields",
        "* * * * * * *|must have 5 fields",
        "60 * * * *|minute field '60': value 60 is out of range 0-59",
        "* 24 * * *|hour field '24'",
        "* * 0 * *|day-of-month field '0'",
        "* * * 13 *|month field '13'",
        "* * * * 8|day-of-week field '8'",
        "5-1 * * * *|goes backwards",
        "*/0 * * * *|step must be at least 1",
        "? * * * *|only allowed in the day-of-month and day-of-week",
        "@reboot|unknown macro",
        "1,,2 * * * *|empty list element",
        "* * * FOO *|value 'FOO' is not a number or a name like FEB",
        "* * L * *|value 'L' is not a number",
        "99999999999 * * * *|is not a number",
      })
  void badExpressionsAreRejectedWithTheReason(String cron, String reason) {
    assertThatThrownBy(() -> CronExpression.parse(cron))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining(reason)
        .extracting(e -> ((InvalidScheduleException) e).field())
        .isEqualTo("cron");
  }
}
