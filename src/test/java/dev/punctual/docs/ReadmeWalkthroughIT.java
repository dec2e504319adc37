package dev.punctual.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.Api;
import dev.punctual.support.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The README's walk-through, executed as printed: its {@code sh} blocks run in bash with the real
 * {@code curl}, against a node started as the quick start starts one (embedded database, admin key
 * generated into {@code data/admin.key}, so the first job is job 1). Only the host is changed, and
 * the line where the reader copies the key from the previous answer. Each call must answer what the
 * walk-through says, and the answers printed in its comments (the preview, the error) must be what
 * the service answers, so the README cannot drift from the service.
 */
class ReadmeWalkthroughIT {
  private static final Pattern SH_BLOCK = Pattern.compile("(?s)```sh\\n(.*?)```");

  @Test
  void theReadmeWalkThroughRunsAsPrinted() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    String section =
        readme.substring(
            readme.indexOf("## A walk through the API"), readme.indexOf("## Configuration"));
    List<String> blocks = new ArrayList<>();
    Matcher m = SH_BLOCK.matcher(section);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).hasSize(2);

    Path dir = Files.createTempDirectory("punctual-readme");
    try (Node node =
        Node.start(
            Map.of(
                "punctual.database-url",
                "",
                "punctual.data-dir",
                dir.resolve("data").toString()))) {
      String script =
          """
          set -eu
          n=0
          # Every curl of the walk-through keeps its answer and status, in order.
          curl() {
            n=$((n+1))
            command curl -sS -o "answer.$n" -w '%{http_code}' "$@" > "status.$n"
          }
          """
              + String.join("\n", blocks)
                  .replace("localhost:8080", node.baseUrl().replace("http://", ""))
                  .replaceAll(
                      "(?m)^KEY=pk_.*$",
                      "KEY=\\$(sed -E 's/.*\"key\":\"([^\"]+)\".*/\\\\1/' answer.1)");
      Process bash =
          new ProcessBuilder("bash", "-c", script)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("bash.log").toFile())
              .start();
      assertThat(bash.waitFor(2, TimeUnit.MINUTES)).as("the walk-through ends").isTrue();
      assertThat(bash.exitValue()).as(Files.readString(dir.resolve("bash.log"))).isZero();

      List<Integer> statuses = new ArrayList<>();
      for (int i = 1; Files.exists(dir.resolve("status." + i)); i++) {
        statuses.add(Integer.parseInt(Files.readString(dir.resolve("status." + i)).trim()));
      }
      // tenant, job, list, patch, pause, resume, trigger, runs, attempts, failed runs, replay,
      // preview; then the error example
      assertThat(statuses)
          .containsExactly(201, 201, 200, 200, 200, 200, 202, 200, 200, 200, 202, 200, 400);
      assertThat(answer(dir, 2).path("id").asString()).isEqualTo("1");
      assertThat(answer(dir, 4).path("target").path("timeout").asString()).isEqualTo("PT30S");
      assertThat(answer(dir, 5).path("state").asString()).isEqualTo("PAUSED");
      assertThat(answer(dir, 7).path("trigger").asString()).isEqualTo("MANUAL");
      JsonNode run = answer(dir, 8).path("items").get(0);
      assertThat(run.path("status").asString()).isEqualTo("FAILED");
      assertThat(run.path("attempts").asInt()).isEqualTo(3);
      JsonNode attempts = answer(dir, 9).path("items");
      assertThat(attempts).hasSize(3);
      // The resolver's words after the host differ by system.
      assertThat(attempts.get(0).path("error").asString())
          .startsWith("unknown host: billing.internal");
      assertThat(answer(dir, 10).path("items").get(0).path("id").asString()).isEqualTo("1");
      assertThat(answer(dir, 11).path("trigger").asString()).isEqualTo("REPLAY");
      assertThat(answer(dir, 11).path("replayOf").asString()).isEqualTo("1");

      // The answers the README prints are the service's.
      assertThat(answer(dir, 12)).isEqualTo(printedAfter(blocks.get(0), "schedules/preview"));
      JsonNode printedError = printedAfter(blocks.get(1), "api/v1/jobs");
      JsonNode error = answer(dir, 13);
      assertThat(error.path("errors")).isEqualTo(printedError.path("errors"));
      assertThat(error.path("detail")).isEqualTo(printedError.path("detail"));
    }
  }

  private static JsonNode answer(Path dir, int n) throws Exception {
    return Api.json(Files.readString(dir.resolve("answer." + n)));
  }

  /** The JSON the README prints, in comment lines, after the curl of {@code path}. */
  private static JsonNode printedAfter(String block, String path) {
    String rest = block.substring(block.indexOf(path));
    StringBuilder json = new StringBuilder();
    boolean started = false;
    for (String line : rest.lines().toList()) {
      if (line.startsWith("# {")) {
        started = true;
      }
      if (started) {
        if (!line.startsWith("#")) {
          break;
        }
        json.append(line.substring(1).strip());
      }
    }
    return Api.json(json.toString());
  }
}
