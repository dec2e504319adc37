package dev.punctual.job;

/**
 * What a job is doing, as the API shows it and a list filters by; each a fixed condition on the row
 * ({@code j}). {@code BROKEN} comes first: a broken job does not fire whether paused or not, and a
 * write that repairs it gives it its state back.
 */
enum JobState {
  ACTIVE("j.broken_reason is null and j.enabled and not j.completed"),
  PAUSED("j.broken_reason is null and not j.enabled"),
  COMPLETED("j.broken_reason is null and j.enabled and j.completed"),
  BROKEN("j.broken_reason is not null");

  final String condition;

  JobState(String condition) {
    this.condition = condition;
  }

  /** The state of a row with these columns. */
  static JobState of(String brokenReason, boolean enabled, boolean completed) {
    if (brokenReason != null) {
      return BROKEN;
    }
    if (!enabled) {
      return PAUSED;
    }
    return completed ? COMPLETED : ACTIVE;
  }
}
