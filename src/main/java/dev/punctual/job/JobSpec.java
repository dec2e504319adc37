package dev.punctual.job;

import dev.punctual.definition.DefinitionCodec;
import dev.punctual.definition.JobDefinition;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The writable fields of a job, validated, with defaults filled in: the definition the engine runs,
 * and the fields only the API uses. What is stored comes from {@link DefinitionCodec}. {@code
 * pauseAfterFailures}, {@code maxRuns} and {@code notificationUrl} are null when not set (no
 * auto-pause, no run limit, the tenant's notification endpoint).
 */
record JobSpec(
    String name,
    String description,
    JobDefinition definition,
    boolean enabled,
    Map<String, String> labels,
    Integer pauseAfterFailures,
    Long maxRuns,
    String notificationUrl) {

  ObjectNode scheduleJson() {
    return DefinitionCodec.encode(definition.schedule());
  }

  ObjectNode targetJson() {
    return DefinitionCodec.encode(definition.target());
  }

  ObjectNode retryJson() {
    return DefinitionCodec.encode(definition.retry());
  }

  /** The writable fields as JSON, in the shape {@link JobRow#writableJson()} has. */
  ObjectNode writableJson() {
    ObjectNode labelsJson = JsonNodeFactory.instance.objectNode();
    labels.forEach(labelsJson::put);
    return writableJson(
        name,
        description,
        scheduleJson(),
        targetJson(),
        retryJson(),
        definition.overlap().name(),
        definition.misfire().name(),
        enabled,
        labelsJson,
        pauseAfterFailures,
        maxRuns,
        notificationUrl);
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
      JsonNode labels,
      Integer pauseAfterFailures,
      Long maxRuns,
      String notificationUrl) {
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
    json.put("pauseAfterFailures", pauseAfterFailures);
    json.put("maxRuns", maxRuns);
    json.put("notificationUrl", notificationUrl);
    return json;
  }
}
