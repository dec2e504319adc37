package dev.punctual.queue;

import static dev.punctual.queue.RunStatus.FAILED;
import static dev.punctual.queue.RunStatus.PENDING;
import static dev.punctual.queue.RunStatus.RETRYING;
import static dev.punctual.queue.RunStatus.RUNNING;
import static dev.punctual.queue.RunStatus.SKIPPED;
import static dev.punctual.queue.RunStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punctual.definition.RetryPolicy;
import dev.punctual.delivery.AttemptResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The run state machine, without a database: its edges, its SQL, and its diagram in the docs. */
class RunTransitionTest {

  @Test
  void finishedRunsNeverMoveAgainExceptToBeDeleted() {
    for (RunStatus finished : RunStatus.FINISHED) {
      for (RunStatus any : RunStatus.values()) {
        assertThat(RunTransition.allowed(finished, any)).as("%s -> %s", finished, any).isFalse();
      }
    }
    assertThat(RunTransition.EXPIRE.from()).isEqualTo(RunStatus.FINISHED);
    assertThat(RunTransition.EXPIRE.to()).isNull();
  }

  @Test
  void onlyAClaimStartsAnAttemptAndOnlyAnAttemptEndsOne() {
    assertThat(RunTransition.allowed(PENDING, RUNNING)).isTrue();
    assertThat(RunTransition.allowed(RETRYING, RUNNING)).isTrue();
    assertThat(RunTransition.allowed(PENDING, SUCCEEDED)).isFalse();
    assertThat(RunTransition.allowed(PENDING, FAILED)).isFalse();
    assertThat(RunTransition.allowed(RETRYING, FAILED)).isFalse();
    assertThat(RunTransition.allowed(PENDING, RETRYING)).isFalse();
    for (RunStatus to : Set.of(SUCCEEDED, FAILED, RETRYING)) {
      assertThat(RunTransition.allowed(RUNNING, to)).isTrue();
    }
    assertThat(RunTransition.allowed(RUNNING, SKIPPED)).isFalse();
    assertThat(RunTransition.createsIn(SKIPPED)).isTrue();
    assertThat(RunTransition.createsIn(RETRYING)).isFalse();
    assertThat(RunTransition.createsIn(SUCCEEDED)).isFalse();
  }

  @Test
  void anOutcomeCannotNameAStatusAnAttemptDoesNotReach() {
    Instant t = Instant.parse("2026-12-07T00:00:00Z");
    for (RunStatus bad : Set.of(PENDING, RUNNING, SKIPPED)) {
      assertThatThrownBy(() -> new RunQueue.Outcome(1, 1, bad, null, null, null, 0, null, t, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad.name());
    }
    RetryPolicy retry = new RetryPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0);
    AttemptResult failed =
        new AttemptResult(AttemptResult.Outcome.FAILURE, 500, "x", null, 1, null);
    assertThat(OutcomeDecision.decide(1, 1, retry, failed, t, false, b -> 0).status())
        .isEqualTo(RETRYING);
    assertThat(OutcomeDecision.decide(1, 2, retry, failed, t, false, b -> 0).status())
        .isEqualTo(FAILED);
  }

  @Test
  void sqlSetsAreRenderedFromTheEnums() {
    assertThat(RunStatus.ACTIVE_SQL).isEqualTo("('PENDING', 'RUNNING', 'RETRYING')");
    assertThat(RunTrigger.ONE_PER_FIRE_TIME_SQL)
        .isEqualTo("trigger in ('SCHEDULE', 'CATCH_UP', 'BACKFILL')");
    assertThat(RunTransition.CLAIM.fromSql()).isEqualTo("('PENDING', 'RUNNING', 'RETRYING')");
    assertThat(RunSql.of("status = {FAILED} and trigger = {MANUAL} and status in {ACTIVE}"))
        .isEqualTo(
            "status = 'FAILED' and trigger = 'MANUAL' and status in ('PENDING', 'RUNNING',"
                + " 'RETRYING')");
    assertThat(RunSql.of("'{}' and {ONE_PER_FIRE_TIME}"))
        .isEqualTo("'{}' and " + RunTrigger.ONE_PER_FIRE_TIME_SQL);
    assertThatThrownBy(() -> RunSql.of("status = {FINISHED_OK}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FINISHED_OK");
  }

  private static final Pattern EDGE =
      Pattern.compile(
          "^\\s*(\\[\\*]|[A-Z]+) --> (\\[\\*]|[A-Z]+): ([A-Z_]+)\\s*$", Pattern.MULTILINE);

  @Test
  void theDiagramInTheDocsIsTheTable() throws Exception {
    String doc = Files.readString(Path.of("docs/engine.md"));
    int start = doc.indexOf("stateDiagram-v2");
    String diagram = doc.substring(start, doc.indexOf("```", start));
    Set<String> drawn = new TreeSet<>();
    Matcher m = EDGE.matcher(diagram);
    while (m.find()) {
      drawn.add(m.group(1) + " --> " + m.group(2) + ": " + m.group(3));
    }
    Set<String> table = new TreeSet<>();
    for (RunTransition t : RunTransition.values()) {
      String to = t.to() == null ? "[*]" : t.to().name();
      if (t.from().isEmpty()) {
        table.add("[*] --> " + to + ": " + t.name());
      }
      for (RunStatus from : t.from()) {
        table.add(from.name() + " --> " + to + ": " + t.name());
      }
    }
    assertThat(drawn).isEqualTo(table);
  }
}
