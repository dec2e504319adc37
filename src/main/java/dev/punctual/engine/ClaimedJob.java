package dev.punctual.engine;

import dev.punctual.definition.JobDefinition;
import dev.punctual.definition.Misfire;
import dev.punctual.definition.Overlap;
import dev.punctual.schedule.Schedule;
import java.time.Instant;
import java.util.List;

/**
 * A job this node holds the lease of (or the row lock of), for its fire time {@code fireAt}, with
 * its definition decoded. {@code version} is the job's at the claim: a write of the API bumps it.
 * {@code runsLeft}: how many runs its {@code maxRuns} still allows, null when it sets none; {@code
 * countsFailures}: it has {@code pauseAfterFailures}, so the outcomes of its runs are counted.
 */
record ClaimedJob(
    long id,
    long tenantId,
    String name,
    long version,
    Instant fireAt,
    long fencingToken,
    JobDefinition definition,
    List<String> signingSecrets,
    Long runsLeft,
    boolean countsFailures) {

  Schedule schedule() {
    return definition.schedule();
  }

  Misfire misfire() {
    return definition.misfire();
  }

  boolean skipOverlapping() {
    return definition.overlap() == Overlap.SKIP;
  }

  ClaimedJob withNext(Instant nextFireAt, long token, Long runsLeft) {
    return new ClaimedJob(
        id,
        tenantId,
        name,
        version,
        nextFireAt,
        token,
        definition,
        signingSecrets,
        runsLeft,
        countsFailures);
  }

  /** This job cannot be fired: its row is to be marked broken, fenced by token and version. */
  BrokenJob broken(String reason) {
    return new BrokenJob(id, tenantId, name, fencingToken, version, reason);
  }

  /** A job row the engine could not decode or plan, to be quarantined with {@code reason}. */
  record BrokenJob(
      long id, long tenantId, String name, long fencingToken, long version, String reason) {}
}
