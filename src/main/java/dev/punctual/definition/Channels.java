package dev.punctual.definition;

/**
 * The PostgreSQL {@code NOTIFY} channels between the API and the engines; a notification reaches
 * every node, the sender's included.
 */
public final class Channels {
  /** A job was written with a near fire time: schedulers claim now instead of at their poll. */
  public static final String JOBS = "punctual_jobs";

  /** A run is waiting (a manual trigger): workers claim now. */
  public static final String RUNS = "punctual_runs";

  private Channels() {}
}
