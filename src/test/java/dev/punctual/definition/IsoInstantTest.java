package dev.punctual.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** IsoInstant is a shortcut: it must agree with Instant.parse and Instant.toString everywhere. */
class IsoInstantTest {
  private static final long MIN = Instant.parse("-9999-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX = Instant.parse("+12000-01-01T00:00:00Z").getEpochSecond();

  @Test
  void formatsAndParsesAsInstantDoes() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 200_000; i++) {
      int nano =
          switch (i % 4) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant instant = Instant.ofEpochSecond(random.nextLong(MIN, MAX), nano);
      String text = instant.toString();
      assertThat(IsoInstant.format(instant)).isEqualTo(text);
      assertThat(IsoInstant.parse(text)).isEqualTo(instant);
    }
    for (String edge :
        new String[] {
          "0000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"
        }) {
      assertThat(IsoInstant.format(Instant.parse(edge))).isEqualTo(edge);
    }
  }

  @Test
  void anyOtherTextMeansWhatInstantParseSaysOrFailsAsItDoes() {
    String[] texts = {
      "2026-03-29T01:30:00Z",
      "2026-03-29T01:30:00.5Z",
      "2026-03-29T01:30:00.123456789Z",
      "2026-03-29t01:30:00z",
      "2026-03-29T01:30:00+02:00",
      "2026-03-29T24:00:00Z",
      "2026-12-31T23:59:60Z",
      "+12026-03-29T01:30:00Z",
      "2026-03-29T01:30Z",
      "2026-03-29T01:30:00.Z",
      "2026-03-29T01:30:00.1234567891Z",
      "2026-02-29T00:00:00Z",
      "2024-02-29T00:00:00Z",
      "2026-02-30T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-00-10T00:00:00Z",
      "2026-01-01T00:60:00Z",
      "2026-01-01T00:00:61Z",
      "2026-0a-01T00:00:00Z",
      "2026-01-01 00:00:00Z",
      "2026-01-01T00:00:00",
      "2026-01-01T00:00:00.-5Z",
      "",
      "tomorrow"
    };
    for (String text : texts) {
      Instant expected;
      try {
        expected = Instant.parse(text);
      } catch (DateTimeParseException e) {
        assertThatThrownBy(() -> IsoInstant.parse(text))
            .as(text)
            .isInstanceOf(DateTimeParseException.class);
        continue;
      }
      assertThat(IsoInstant.parse(text)).as(text).isEqualTo(expected);
    }
  }
}
