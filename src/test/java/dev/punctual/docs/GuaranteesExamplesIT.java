package dev.punctual.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The DST examples of docs/guarantees.md are what the service answers: each row of the table is
 * sent to {@code POST /api/v1/schedules/preview} and its fire times compared, so the documented
 * rule cannot drift from the code.
 */
class GuaranteesExamplesIT extends ApiTestBase {
  private static final Pattern ROW =
      Pattern.compile("(?m)^\\| `([^`]+)` \\| `([^`]+)` \\| ([^|]+) \\|");
  private static final Pattern INSTANT = Pattern.compile("`([0-9T:Z-]+)`");

  @Test
  void theDstExamplesAreWhatThePreviewAnswers() throws Exception {
    String doc = Files.readString(Path.of("docs/guarantees.md"));
    Api tenant = newTenant();
    Matcher row = ROW.matcher(doc);
    int rows = 0;
    while (row.find()) {
      List<String> expected = new ArrayList<>();
      Matcher instant = INSTANT.matcher(row.group(3));
      while (instant.find()) {
        expected.add(instant.group(1));
      }
      Api.Response answer =
          tenant.post(
              "/api/v1/schedules/preview",
              Map.of(
                  "schedule", Map.of("cron", row.group(1), "timezone", "Europe/Berlin"),
                  "after", row.group(2),
                  "count", expected.size()));
      List<String> fired = new ArrayList<>();
      for (JsonNode time : answer.body().path("fireTimes")) {
        fired.add(time.asString());
      }
      assertThat(fired).as(row.group()).isEqualTo(expected);
      rows++;
    }
    assertThat(rows).as("rows of the DST table").isEqualTo(4);
  }
}
