package dev.punctual.job;

import dev.punctual.schedule.Schedule;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The writable fields of a job, validated and with defaults filled in. {@code scheduleJson}, {@code
 * targetJson} and {@code retryJson} are the normalized forms that are stored and shown.
 */
record JobSpec(
    String name,
    String description,
    Schedule schedule,
    ObjectNode scheduleJson,
    ObjectNode targetJson,
    ObjectNode retryJson,
    Overlap overlap,
    Misfire misfire,
    boolean enabled,
    Map<String, String> labels) {

  /** The writable fields as JSON, in the shape {@link JobRow#writableJson()} has. */
  ObjectNode writableJson() {
    ObjectNode labelsJson = JsonNodeFactory.instance.objectNode();
    labels.forEach(labelsJson::put);
    return writableJson(
        name,
        description,
        scheduleJson,
        targetJson,
        retryJson,
        overlap.name(),
        misfire.name(),
        enabled,
        labelsJson);
  }

  /** The one shape of the writable fields, shared by a spec and a stored row. */
  static ObjectNode writableJson(
      String name,
      String description,
      JsonNode schedule,
      JsonNode target,
      JsonNode retry,
      String overlap,
      String misfire,
      boolean enabled,
      JsonNode labels) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("name", name);
    json.put("description", description);
    json.set("schedule", schedule.deepCopy());
    json.set("target", target.deepCopy());
    json.set("retry", retry.deepCopy());
    json.put("overlap", overlap);
    json.put("misfire", misfire);
    json.put("enabled", enabled);
    json.set("labels", labels.deepCopy());
    return json;
  }

  enum Overlap {
    SKIP,
    ALLOW
  }

  enum Misfire {
    FIRE_ONCE,
    SKIP,
    FIRE_ALL
  }
}
