package dev.punctual.delivery;

import java.util.concurrent.CompletableFuture;

/**
 * Makes one attempt of a run. The service's is {@link HttpDelivery}; the engine takes any, so the
 * benchmarks can measure the engine alone with a deliverer that does nothing.
 */
@FunctionalInterface
public interface Deliverer {
  /** Never throws: every failure is an {@link AttemptResult}. */
  CompletableFuture<AttemptResult> send(Attempt attempt);
}
