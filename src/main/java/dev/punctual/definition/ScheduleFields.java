package dev.punctual.definition;

import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The top-level fields of a stored schedule, read with Jackson's streaming parser instead of a JSON
 * tree. The engine decodes the schedule of every job it claims (a one-shot's text names its own
 * instant, so it cannot be memoized like targets), and building the tree (a mapper context, a map,
 * a node per value) was most of that cost in a burst (JFR, docs/benchmarks-log.md).
 *
 * <p>Reads what the tree reader read, the same way: fields other than the schedule's are skipped, a
 * repeated field keeps its last value, an explicit {@code null} is present but has no value, and a
 * value that is not a string is an error only when the decoder asks for it.
 */
final class ScheduleFields {
  static final List<String> NAMES =
      List.of("cron", "timezone", "interval", "startAt", "at", "notBefore", "notAfter");

  /** The value of a field that is present with something other than a string or null. */
  private static final Object NOT_A_STRING = new Object();

  private final boolean[] present = new boolean[NAMES.size()];
  private final Object[] values = new Object[NAMES.size()];

  private ScheduleFields() {}

  /** The fields of {@code text}, which must be one JSON object. */
  static ScheduleFields read(JsonMapper json, String text) {
    if (text == null) {
      throw new UnreadableDefinitionException("schedule", "missing");
    }
    ScheduleFields fields = new ScheduleFields();
    try (JsonParser parser = json.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new UnreadableDefinitionException("schedule", "is not a JSON object");
      }
      for (String name = parser.nextName(); name != null; name = parser.nextName()) {
        JsonToken value = parser.nextToken();
        int index = NAMES.indexOf(name);
        if (index >= 0) {
          fields.present[index] = true;
          fields.values[index] =
              switch (value) {
                case VALUE_STRING -> parser.getString();
                case VALUE_NULL -> null;
                default -> NOT_A_STRING;
              };
        }
        parser.skipChildren();
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        throw new IllegalArgumentException("is not one JSON object");
      }
    }
    return fields;
  }

  /** Whether the field is there, {@code null} included (what {@code JsonNode.has} said). */
  boolean has(String field) {
    return present[index(field)];
  }

  /** A string field; null when absent or null and not required. */
  String string(String field, boolean required) {
    Object value = values[index(field)];
    if (value == null) {
      if (required) {
        throw new IllegalArgumentException(field + " is missing");
      }
      return null;
    }
    if (value == NOT_A_STRING) {
      throw new IllegalArgumentException(field + " is not a string");
    }
    return (String) value;
  }

  private static int index(String field) {
    int index = NAMES.indexOf(field);
    if (index < 0) {
      throw new IllegalStateException("not a schedule field: " + field);
    }
    return index;
  }
}
