package dev.punctual.definition;

/** What a fire does while the job's previous run is still pending, running or retrying. */
public enum Overlap {
  /** The new fire time is recorded as a {@code SKIPPED} run. */
  SKIP,
  /** Runs may overlap. */
  ALLOW
}
