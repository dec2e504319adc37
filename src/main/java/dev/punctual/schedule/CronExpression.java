package dev.punctual.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed cron expression: the set of local date-times it matches, with no time zone.
 *
 * <p>Grammar (docs/api.md): 5 fields ({@code minute hour day-of-month month day-of-week}) or 6 with
 * seconds first; {@code *}, numbers, names ({@code JAN}, {@code MON}), ranges {@code a-b}, steps
 * {@code * /n}, {@code a/n}, {@code a-b/n}, lists; {@code ?} as {@code *} in the day fields;
 * day-of-week 0 and 7 are Sunday; the macros {@code @yearly @annually @monthly @weekly @daily
 * @midnight @hourly}. When both day fields are restricted (neither is {@code *} or {@code ?}) a
 * day matches if either matches, as in classic cron.
 *
 * <p>Each field is a bit mask; {@link #nextMatch} walks field by field from the largest unit, so
 * it costs a few dozen steps, not a walk over every second.
 */
public final class CronExpression {
  /** Far enough for {@code 0 0 29 2 *} across a skipped leap year (2096 to 2104). */
  private static final int SEARCH_YEARS = 30;

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  private static final String[] MONTH_NAMES = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] DAY_NAMES = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  private final String text;
  private final long seconds;
  private final long minutes;
  private final long hours;
  private final long daysOfMonth;
  private final long months;
  private final long daysOfWeek; // bit 0 = Sunday ... bit 6 = Saturday
  private final boolean domRestricted;
  private final boolean dowRestricted;

  private CronExpression(String text, long[] masks, boolean domRestricted, boolean dowRestricted) {
    this.text = text;
    this.seconds = masks[0];
    this.minutes = masks[1];
    this.hours = masks[2];
    this.daysOfMonth = masks[3];
    this.months = masks[4];
    this.daysOfWeek = masks[5];
    this.domRestricted = domRestricted;
    this.dowRestricted = dowRestricted;
  }

  /**
   * Parses {@code text}.
   *
   * @throws InvalidScheduleException with field {@code cron} and a message naming the bad part
   */
  public static CronExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidScheduleException("cron", "must not be empty");
    }
    String trimmed = text.trim();
    String expanded = trimmed;
    if (trimmed.startsWith("@")) {
      expanded = MACROS.get(trimmed.toLowerCase(Locale.ROOT));
      if (expanded == null) {
        throw new InvalidScheduleException(
            "cron",
            "unknown macro '%s' (known: @yearly @annually @monthly @weekly @daily @midnight @hourly)"
                .formatted(trimmed));
      }
    }
    String[] parts = expanded.split("\\s+");
    if (parts.length != 5 && parts.length != 6) {
      throw new InvalidScheduleException(
          "cron",
          "must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first),"
              + " found "
              + parts.length);
    }
    String[] six = new String[6];
    if (parts.length == 5) {
      six[0] = "0";
      System.arraycopy(parts, 0, six, 1, 5);
    } else {
      six = parts;
    }
    long[] masks = {
      parseField(six[0], Field.SECOND),
      parseField(six[1], Field.MINUTE),
      parseField(six[2], Field.HOUR),
      parseField(six[3], Field.DAY_OF_MONTH),
      parseField(six[4], Field.MONTH),
      parseField(six[5], Field.DAY_OF_WEEK)
    };
    // Day-of-week 7 is Sunday, like 0.
    if ((masks[5] & (1L << 7)) != 0) {
      masks[5] = (masks[5] & ~(1L << 7)) | 1L;
    }
    boolean domRestricted = !isUnrestricted(six[3]);
    boolean dowRestricted = !isUnrestricted(six[5]);
    return new CronExpression(trimmed, masks, domRestricted, dowRestricted);
  }

  private static boolean isUnrestricted(String field) {
    return field.equals("*") || field.equals("?");
  }

  /** The text as the client wrote it (trimmed). */
  public String text() {
    return text;
  }

  /** Whether {@code t} (to the second) matches every field. */
  public boolean matches(LocalDateTime t) {
    return has(seconds, t.getSecond())
        && has(minutes, t.getMinute())
        && has(hours, t.getHour())
        && has(months, t.getMonthValue())
        && dayMatches(t.toLocalDate());
  }

  /** The day rule alone (day-of-month, day-of-week and month), for callers that walk days. */
  public boolean dayMatches(LocalDate date) {
    if (!has(months, date.getMonthValue())) {
      return false;
    }
    boolean dom = has(daysOfMonth, date.getDayOfMonth());
    boolean dow = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  /** Whether the minute-level fields match {@code t}, ignoring its seconds. */
  public boolean matchesMinute(LocalDateTime t) {
    return has(minutes, t.getMinute()) && has(hours, t.getHour()) && dayMatches(t.toLocalDate());
  }

  /** Whether {@code second} (0-59) is in the seconds field. */
  public boolean matchesSecond(int second) {
    return has(seconds, second);
  }

  /**
   * The first local date-time at or after {@code from} (truncated to whole seconds) that matches,
   * or empty if none comes within {@value #SEARCH_YEARS} years (e.g. {@code 0 0 30 2 *}).
   */
  public Optional<LocalDateTime> nextMatch(LocalDateTime from) {
    LocalDateTime t = from.truncatedTo(ChronoUnit.SECONDS);
    int lastYear = t.getYear() + SEARCH_YEARS;
    while (t.getYear() <= lastYear) {
      if (!has(months, t.getMonthValue())) {
        t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
        continue;
      }
      if (!dayMatches(t.toLocalDate())) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      int hour = next(hours, t.getHour(), 23);
      if (hour < 0) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      if (hour != t.getHour()) {
        t = t.toLocalDate().atTime(hour, 0);
      }
      int minute = next(minutes, t.getMinute(), 59);
      if (minute < 0) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      if (minute != t.getMinute()) {
        t = t.truncatedTo(ChronoUnit.HOURS).withMinute(minute);
      }
      int second = next(seconds, t.getSecond(), 59);
      if (second < 0) {
        t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        continue;
      }
      return Optional.of(t.withSecond(second));
    }
    return Optional.empty();
  }

  private static boolean has(long mask, int value) {
    return (mask & (1L << value)) != 0;
  }

  /** The smallest set bit of {@code mask} in {@code [from, max]}, or -1. */
  private static int next(long mask, int from, int max) {
    long candidates = mask & (-1L << from);
    if (candidates == 0) {
      return -1;
    }
    int bit = Long.numberOfTrailingZeros(candidates);
    return bit <= max ? bit : -1;
  }

  private enum Field {
    SECOND("second", 0, 59, null),
    MINUTE("minute", 0, 59, null),
    HOUR("hour", 0, 23, null),
    DAY_OF_MONTH("day-of-month", 1, 31, null),
    MONTH("month", 1, 12, MONTH_NAMES),
    DAY_OF_WEEK("day-of-week", 0, 7, DAY_NAMES);

    final String label;
    final int min;
    final int max;
    final String[] names; // names[i] is the value min + i (months start at 1, days at 0)

    Field(String label, int min, int max, String[] names) {
      this.label = label;
      this.min = min;
      this.max = max;
      this.names = names;
    }

    boolean allowsQuestionMark() {
      return this == DAY_OF_MONTH || this == DAY_OF_WEEK;
    }
  }

  private static long parseField(String text, Field field) {
    if (text.equals("?")) {
      if (!field.allowsQuestionMark()) {
        throw invalid(
            field, text, "'?' is only allowed in the day-of-month and day-of-week fields");
      }
      return range(field.min, field.max, 1);
    }
    long mask = 0;
    for (String element : text.split(",", -1)) {
      mask |= parseElement(element, field, text);
    }
    return mask;
  }

  private static long parseElement(String element, Field field, String whole) {
    if (element.isEmpty()) {
      throw invalid(field, whole, "empty list element");
    }
    String rangePart = element;
    int step = 1;
    int slash = element.indexOf('/');
    if (slash >= 0) {
      rangePart = element.substring(0, slash);
      step = parseNumber(element.substring(slash + 1), field, whole, "step");
      if (step < 1) {
        throw invalid(field, whole, "step must be at least 1");
      }
    }
    int from;
    int to;
    if (rangePart.equals("*")) {
      from = field.min;
      to = field == Field.DAY_OF_WEEK ? 6 : field.max;
    } else {
      int dash = rangePart.indexOf('-');
      if (dash >= 0) {
        from = parseValue(rangePart.substring(0, dash), field, whole);
        to = parseValue(rangePart.substring(dash + 1), field, whole);
        if (from > to) {
          throw invalid(
              field,
              whole,
              "range %s goes backwards (write it as two ranges)".formatted(rangePart));
        }
      } else {
        from = parseValue(rangePart, field, whole);
        // "a/n" means from a to the end of the field, stepping n.
        to = slash >= 0 ? (field == Field.DAY_OF_WEEK ? 6 : field.max) : from;
      }
    }
    return range(from, to, step);
  }

  private static int parseValue(String text, Field field, String whole) {
    if (field.names != null) {
      String upper = text.toUpperCase(Locale.ROOT);
      for (int i = 0; i < field.names.length; i++) {
        if (field.names[i].equals(upper)) {
          return field == Field.MONTH ? i + 1 : i;
        }
      }
    }
    int value = parseNumber(text, field, whole, "value");
    if (value < field.min || value > field.max) {
      throw invalid(
          field, whole, "value %d is out of range %d-%d".formatted(value, field.min, field.max));
    }
    return value;
  }

  private static int parseNumber(String text, Field field, String whole, String what) {
    if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(Character::isDigit)) {
      String hint = field.names == null ? "" : " or a name like " + field.names[1];
      throw invalid(field, whole, "%s '%s' is not a number%s".formatted(what, text, hint));
    }
    return Integer.parseInt(text);
  }

  private static long range(int from, int to, int step) {
    long mask = 0;
    for (int v = from; v <= to; v += step) {
      mask |= 1L << v;
    }
    return mask;
  }

  private static InvalidScheduleException invalid(Field field, String text, String reason) {
    return new InvalidScheduleException(
        "cron", "%s field '%s': %s".formatted(field.label, text, reason));
  }

  @Override
  public String toString() {
    return text;
  }
}
