package dev.punctual.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import dev.punctual.client.model.CronSchedule;
import dev.punctual.client.model.IntervalSchedule;
import dev.punctual.client.model.OnceSchedule;
import dev.punctual.client.model.Schedule;
import java.io.IOException;

/**
 * The one hand-written class of the client: an {@link ApiClient} for a node and a key, ready for
 * the generated {@code *Api} classes ({@code new JobsApi(PunctualClient.create(url, key))}).
 *
 * <p>It also reads schedules by their field. A schedule is one of three kinds told apart by which
 * field it has ({@code cron}, {@code interval} or {@code at}); the generator's reading of such a
 * {@code oneOf} tries each kind leniently, finds all three match, and fails.
 */
public final class PunctualClient {
  private PunctualClient() {}

  /** A client of the node at {@code baseUri} (such as {@code http://localhost:8080}). */
  public static ApiClient create(String baseUri, String apiKey) {
    ApiClient client = new ApiClient();
    client.updateBaseUri(baseUri);
    client.setObjectMapper(
        client.getObjectMapper().copy().addMixIn(Schedule.class, ScheduleByField.MixIn.class));
    client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + apiKey));
    return client;
  }

  static final class ScheduleByField extends StdDeserializer<Schedule> {
    @JsonDeserialize(using = ScheduleByField.class)
    abstract static class MixIn {}

    ScheduleByField() {
      super(Schedule.class);
    }

    @Override
    public Schedule deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      JsonNode tree = parser.readValueAsTree();
      if (tree.has("cron")) {
        return new Schedule(context.readTreeAsValue(tree, CronSchedule.class));
      }
      if (tree.has("interval")) {
        return new Schedule(context.readTreeAsValue(tree, IntervalSchedule.class));
      }
      if (tree.has("at")) {
        return new Schedule(context.readTreeAsValue(tree, OnceSchedule.class));
      }
      throw context.weirdStringException(
          tree.toString(), Schedule.class, "a schedule has cron, interval or at");
    }
  }
}
