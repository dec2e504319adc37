package dev.punctual.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules of the code's shape that a review would otherwise have to remember. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.punctual");

  private static final Path SOURCES = Path.of("src/main/java/dev/punctual");
  private static final Path TESTS = Path.of("src/test/java/dev/punctual");

  /** Each top-level package is a feature; features depend on each other one way only. */
  @Test
  void packagesHaveNoCycles() {
    slices().matching("dev.punctual.(*)..").should().beFreeOfCycles().check(MAIN);
  }

  private static final Pattern RUN_WRITE =
      Pattern.compile(
          "\\b(insert\\s+into|update|delete\\s+from)\\s+(runs|run_attempts)\\b",
          Pattern.CASE_INSENSITIVE);

  /** Runs are the queue: only {@code queue/} creates, changes or deletes them. */
  @Test
  void onlyTheQueueWritesRuns() throws IOException {
    assertThat(matches(RUN_WRITE, "queue/")).as("runs written outside queue/").isEmpty();
    // The rule must see the writes it allows, or it proves nothing.
    assertThat(matches(RUN_WRITE, "none/")).anyMatch(hit -> hit.startsWith("queue/"));
  }

  private static final Pattern SYSTEM_CLOCK =
      Pattern.compile(
          "\\b(Instant|LocalDate|LocalDateTime|LocalTime|OffsetDateTime|ZonedDateTime)\\.now\\("
              + "|System\\.currentTimeMillis\\(|Clock\\.system(UTC|DefaultZone)?\\(");

  /**
   * One clock: every instant the service writes or signs comes from {@code config/ClockConfig} (its
   * bean, or {@code ClockConfig.SYSTEM} where there is no bean), so a test can move time for all of
   * them. Monotonic time ({@code System.nanoTime}) measures durations and is not a clock.
   */
  @Test
  void onlyTheClockSourceReadsTheSystemClock() throws IOException {
    assertThat(matches(SYSTEM_CLOCK, "config/ClockConfig.java")).as("system clock read").isEmpty();
    assertThat(matches(SYSTEM_CLOCK, "none/")).hasSize(1);
  }

  private static final Pattern UNNAMED_WAIT =
      Pattern.compile("(^|[^\\w.])await\\(\\)|Awaitility\\.await\\(\\)");

  /** A test that times out says what it waited for: every Awaitility wait is named. */
  @Test
  void everyWaitOfTheTestsIsNamed() throws IOException {
    assertThat(matches(TESTS, UNNAMED_WAIT, "architecture/")).as("unnamed waits").isEmpty();
  }

  /** Lines of the main sources outside {@code allowed} where {@code pattern} occurs. */
  static List<String> matches(Pattern pattern, String allowed) throws IOException {
    return matches(SOURCES, pattern, allowed);
  }

  /**
   * Lines of the sources under {@code root} outside {@code allowed} where {@code pattern} occurs.
   */
  static List<String> matches(Path root, Pattern pattern, String allowed) throws IOException {
    List<String> hits = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String relative = root.relativize(file).toString().replace('\\', '/');
        if (relative.startsWith(allowed)) {
          continue;
        }
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = pattern.matcher(lines.get(i));
          if (m.find()) {
            hits.add(relative + ":" + (i + 1) + ": " + lines.get(i).strip());
          }
        }
      }
    }
    return hits;
  }
}
