package dev.punctual.run;

import dev.punctual.web.ApiProblem;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Query-string values of the runs API, each refused with a 400 naming its parameter. */
final class QueryValues {
  private static final Instant MIN = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant MAX = Instant.parse("9999-12-31T23:59:59Z");

  private QueryValues() {}

  /** An RFC 3339 instant ({@code 2026-12-01T09:00:00Z}); null when absent. */
  static Instant instant(String name, String value) {
    if (value == null) {
      return null;
    }
    Instant instant;
    try {
      instant = OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiProblem.invalid(name, "must be an RFC 3339 date-time, e.g. 2026-12-01T09:00:00Z");
    }
    if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
      throw ApiProblem.invalid(name, "must be from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z");
    }
    return instant;
  }

  /** An id given as a filter: not a 404 (no resource is addressed), a 400 when malformed. */
  static long id(String name, String value) {
    try {
      long id = Long.parseLong(value);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ApiProblem.invalid(name, "must be an id, as the API gives them");
  }
}
