package dev.punctual.job;

import dev.punctual.schedule.Schedule;
import java.util.Map;
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
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("name", name);
    json.put("description", description);
    json.set("schedule", scheduleJson.deepCopy());
    json.set("target", targetJson.deepCopy());
    json.set("retry", retryJson.deepCopy());
    json.put("overlap", overlap.name());
    json.put("misfire", misfire.name());
    json.put("enabled", enabled);
    ObjectNode labelsJson = json.putObject("labels");
    labels.forEach(labelsJson::put);
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
