package dev.punctual.definition;

/** What happens to fire times missed by more than the misfire threshold (no node could fire). */
public enum Misfire {
  /** One {@code CATCH_UP} run stands for all of them (the latest missed time). */
  FIRE_ONCE,
  /** None: the schedule goes on from now. */
  SKIP,
  /** One {@code CATCH_UP} run per missed time, at most 100. */
  FIRE_ALL
}
