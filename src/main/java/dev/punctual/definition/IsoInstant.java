package dev.punctual.definition;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * ISO-8601 instants in the one form Punctual writes ({@code 2026-03-29T01:30:00Z}, with a fraction
 * of 1 to 9 digits when there is one; what {@link Instant#toString} gives for years 0 to 9999),
 * read and written without {@link java.time.format.DateTimeFormatter}.
 *
 * <p>Why: the engine reads a one-shot's {@code at} (an interval's {@code startAt}) at every claim
 * and writes instants into every batched statement; {@link Instant#parse} and {@link
 * Instant#toString} go through the general formatter (a field map per call) and were a fifth of the
 * engine thread's samples in a burst (JFR, docs/benchmarks-log.md). Any other form (an offset,
 * lower case, hour 24, a leap second, a year past 9999) goes to {@link Instant#parse}, so what is
 * accepted and what it means are exactly {@code Instant.parse}'s.
 */
public final class IsoInstant {
  private IsoInstant() {}

  /** {@link Instant#parse} of {@code text}, the same instant or the same exception. */
  public static Instant parse(String text) {
    Instant fast = parseCanonical(text);
    return fast != null ? fast : Instant.parse(text);
  }

  /** {@link Instant#toString} of {@code instant}, the same text. */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
      return instant.toString();
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    StringBuilder out = new StringBuilder(30);
    digits(out, t.getYear(), 4).append('-');
    digits(out, t.getMonthValue(), 2).append('-');
    digits(out, t.getDayOfMonth(), 2).append('T');
    digits(out, t.getHour(), 2).append(':');
    digits(out, t.getMinute(), 2).append(':');
    digits(out, t.getSecond(), 2);
    int nano = instant.getNano();
    if (nano > 0) {
      // Instant.toString: groups of three digits, as few as the value needs.
      out.append('.');
      if (nano % 1_000_000 == 0) {
        digits(out, nano / 1_000_000, 3);
      } else if (nano % 1_000 == 0) {
        digits(out, nano / 1_000, 6);
      } else {
        digits(out, nano, 9);
      }
    }
    return out.append('Z').toString();
  }

  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
  private static final long MIN_SECOND = -62_167_219_200L;

  private static final long MAX_SECOND = 253_402_300_799L;

  /** {@code value} (0 to 10^width - 1) in {@code width} digits, zeros first. */
  private static StringBuilder digits(StringBuilder out, int value, int width) {
    for (int unit = POWERS[width - 1]; unit > 0; unit /= 10) {
      out.append((char) ('0' + value / unit % 10));
    }
    return out;
  }

  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };

  /** The instant when {@code text} is in the canonical form and valid; null otherwise. */
  private static Instant parseCanonical(String text) {
    int length = text.length();
    if (length < 20
        || length > 30
        || length == 21
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(length - 1) != 'Z') {
      return null;
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 7);
    int day = number(text, 8, 10);
    int hour = number(text, 11, 13);
    int minute = number(text, 14, 16);
    int second = number(text, 17, 19);
    int nano = 0;
    if (length > 20) {
      if (text.charAt(19) != '.') {
        return null;
      }
      nano = number(text, 20, length - 1);
      for (int i = length - 1; i < 29; i++) {
        nano *= 10;
      }
    } else if (text.charAt(19) != 'Z') {
      return null;
    }
    if ((year | month | day | hour | minute | second | nano) < 0
        || hour > 23
        || minute > 59
        || second > 59) {
      return null;
    }
    try {
      long days = LocalDate.of(year, month, day).toEpochDay();
      return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second, nano);
    } catch (DateTimeException e) {
      return null; // February 30th and the like: Instant.parse gives its own error
    }
  }

  /** The decimal digits in [from, to), or -1 when one is not a digit. */
  private static int number(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
