package dev.punctual.web;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Reads one JSON object of a request field by field, collecting every problem with its full path
 * ({@code target.timeout}) instead of stopping at the first, so a client fixes them all at once. A
 * JSON {@code null} reads as absent. Getters return null when a field is absent or invalid; {@link
 * #throwIfInvalid()} ends the reading.
 */
public final class JsonInput {
  private static final Instant MIN_INSTANT = Instant.parse("1970-01-01T00:00:00Z");
  private static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59Z");

  private final JsonNode node;
  private final String path;
  private final List<FieldError> errors;

  private JsonInput(JsonNode node, String path, List<FieldError> errors) {
    this.node = node;
    this.path = path;
    this.errors = errors;
  }

  /** The request body; a body that is not an object is an error on {@code body}. */
  public static JsonInput of(JsonNode body) {
    List<FieldError> errors = new ArrayList<>();
    if (body == null || !body.isObject()) {
      errors.add(new FieldError("body", "must be a JSON object"));
    }
    return new JsonInput(body, "", errors);
  }

  /** The full path of {@code field}; the empty field names this object itself. */
  public String path(String field) {
    if (field.isEmpty()) {
      return path.isEmpty() ? "body" : path.substring(0, path.length() - 1);
    }
    return path + field;
  }

  public void error(String field, String message) {
    errors.add(new FieldError(path(field), message));
  }

  public boolean isValid() {
    return errors.isEmpty();
  }

  public void throwIfInvalid() {
    if (!errors.isEmpty()) {
      throw ApiProblem.invalid(errors);
    }
  }

  /** Whether the field is present and not null. */
  public boolean has(String field) {
    JsonNode value = raw(field);
    return value != null && !value.isNull();
  }

  private JsonNode raw(String field) {
    return node != null && node.isObject() ? node.get(field) : null;
  }

  /** Unknown fields are errors (a typo must not be ignored); {@code ignored} may be present. */
  public void allowOnly(Set<String> known, Set<String> ignored) {
    if (node == null || !node.isObject()) {
      return;
    }
    for (String name : node.propertyNames()) {
      if (!known.contains(name) && !ignored.contains(name)) {
        error(name, "is not a known field");
      }
    }
  }

  private JsonNode required(String field, boolean required) {
    JsonNode value = raw(field);
    if (value == null || value.isNull()) {
      if (required) {
        error(field, "is required");
      }
      return null;
    }
    return value;
  }

  /** A nested object, or null (with an error when it is required or not an object). */
  public JsonInput object(String field, boolean required) {
    JsonNode value = required(field, required);
    if (value == null) {
      return null;
    }
    if (!value.isObject()) {
      error(field, "must be an object");
      return null;
    }
    return new JsonInput(value, path(field) + ".", errors);
  }

  public String string(String field, boolean required, int maxLength) {
    JsonNode value = required(field, required);
    if (value == null) {
      return null;
    }
    if (!value.isString()) {
      error(field, "must be a string");
      return null;
    }
    String text = value.stringValue();
    if (text.length() > maxLength) {
      error(field, "must be at most " + maxLength + " characters");
      return null;
    }
    if (text.indexOf('\u0000') >= 0) {
      error(field, "must not contain NUL characters"); // PostgreSQL text cannot hold them
      return null;
    }
    return text;
  }

  public String string(String field, boolean required, int maxLength, String regex, String rule) {
    String text = string(field, required, maxLength);
    if (text != null && !text.matches(regex)) {
      error(field, rule);
      return null;
    }
    return text;
  }

  public Integer integer(String field, int min, int max) {
    JsonNode value = required(field, false);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      error(field, "must be an integer from " + min + " to " + max);
      return null;
    }
    int n = value.intValue();
    if (n < min || n > max) {
      error(field, "must be from " + min + " to " + max);
      return null;
    }
    return n;
  }

  public Double number(String field, double min, double max) {
    JsonNode value = required(field, false);
    if (value == null) {
      return null;
    }
    if (!value.isNumber()) {
      error(field, "must be a number from " + min + " to " + max);
      return null;
    }
    double n;
    try {
      n = value.doubleValue();
    } catch (RuntimeException e) {
      n = Double.NaN; // a decimal past the range of double (1e999): out of range like any other
    }
    if (!(n >= min && n <= max)) {
      error(field, "must be from " + min + " to " + max);
      return null;
    }
    return n;
  }

  public Boolean bool(String field) {
    JsonNode value = required(field, false);
    if (value == null) {
      return null;
    }
    if (!value.isBoolean()) {
      error(field, "must be true or false");
      return null;
    }
    return value.booleanValue();
  }

  /** An RFC 3339 instant ({@code 2026-12-01T09:00:00Z}; other offsets are converted to UTC). */
  public Instant instant(String field, boolean required) {
    String text = string(field, required, 64);
    if (text == null) {
      return null;
    }
    try {
      // PostgreSQL keeps microseconds: an instant is kept (and fires) to the microsecond.
      Instant instant =
          OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
              .toInstant()
              .truncatedTo(ChronoUnit.MICROS);
      if (instant.isBefore(MIN_INSTANT) || instant.isAfter(MAX_INSTANT)) {
        error(field, "must be between 1970 and 9999");
        return null;
      }
      return instant;
    } catch (DateTimeParseException e) {
      error(field, "must be an RFC 3339 instant such as 2026-12-01T09:00:00Z");
      return null;
    }
  }

  /** An ISO-8601 duration ({@code PT30S}) within {@code [min, max]}. */
  public Duration duration(String field, boolean required, Duration min, Duration max) {
    String text = string(field, required, 64);
    if (text == null) {
      return null;
    }
    Duration duration;
    try {
      duration = Duration.parse(text).truncatedTo(ChronoUnit.MICROS);
    } catch (DateTimeParseException | ArithmeticException e) {
      error(field, "must be an ISO-8601 duration such as PT30S");
      return null;
    }
    if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      error(field, "must be from " + min + " to " + max);
      return null;
    }
    return duration;
  }

  public <E extends Enum<E>> E enumValue(String field, Class<E> type) {
    String text = string(field, false, 64);
    if (text == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, text);
    } catch (IllegalArgumentException e) {
      error(
          field,
          "must be one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(Enum::name)
                  .collect(Collectors.joining(", ")));
      return null;
    }
  }

  /** An object of string values, in order, with checks on size, names and values. */
  public Map<String, String> stringMap(
      String field, int maxEntries, String keyRegex, String keyRule, int maxValueLength) {
    JsonNode value = required(field, false);
    if (value == null) {
      return null;
    }
    if (!value.isObject()) {
      error(field, "must be an object of strings");
      return null;
    }
    if (value.size() > maxEntries) {
      error(field, "must have at most " + maxEntries + " entries");
      return null;
    }
    Map<String, String> map = new LinkedHashMap<>();
    boolean ok = true;
    for (Map.Entry<String, JsonNode> entry : value.properties()) {
      String entryPath = field + "." + entry.getKey();
      if (!entry.getKey().matches(keyRegex)) {
        error(entryPath, keyRule);
        ok = false;
      } else if (!entry.getValue().isString()) {
        error(entryPath, "must be a string");
        ok = false;
      } else if (entry.getValue().stringValue().length() > maxValueLength) {
        error(entryPath, "must be at most " + maxValueLength + " characters");
        ok = false;
      } else if (entry.getValue().stringValue().indexOf('\u0000') >= 0) {
        error(entryPath, "must not contain NUL characters"); // jsonb cannot hold them
        ok = false;
      } else {
        map.put(entry.getKey(), entry.getValue().stringValue());
      }
    }
    return ok ? map : null;
  }
}
