package dev.punctual.engine;

import dev.punctual.delivery.HttpTarget;
import dev.punctual.schedule.Schedule;
import java.time.Instant;
import java.util.List;

/** A job this node holds the lease of, for its fire time {@code fireAt}. */
record ClaimedJob(
    long id,
    long tenantId,
    String name,
    Instant fireAt,
    long fencingToken,
    Schedule schedule,
    HttpTarget target,
    RetryPolicy retry,
    boolean skipOverlapping,
    String misfire,
    List<String> signingSecrets) {

  ClaimedJob withNext(Instant nextFireAt, long token) {
    return new ClaimedJob(
        id,
        tenantId,
        name,
        nextFireAt,
        token,
        schedule,
        target,
        retry,
        skipOverlapping,
        misfire,
        signingSecrets);
  }
}
