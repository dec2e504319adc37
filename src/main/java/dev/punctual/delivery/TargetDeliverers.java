package dev.punctual.delivery;

import dev.punctual.definition.TargetKind;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's one {@link Deliverer}: hands each attempt to the deliverer of its target's kind. A
 * kind without one fails the attempt (a node of an older version reading a newer kind).
 */
public final class TargetDeliverers implements Deliverer {
  private final Map<TargetKind, Deliverer> byKind;

  public TargetDeliverers(Map<TargetKind, Deliverer> byKind) {
    this.byKind = new EnumMap<>(byKind);
  }

  @Override
  public CompletableFuture<AttemptResult> send(Attempt attempt) {
    Deliverer deliverer = byKind.get(attempt.target().kind());
    if (deliverer == null) {
      return CompletableFuture.completedFuture(
          new AttemptResult(
              AttemptResult.Outcome.FAILURE,
              null,
              "this node cannot deliver " + attempt.target().kind().type() + " targets",
              null,
              0,
              null));
    }
    return deliverer.send(attempt);
  }
}
