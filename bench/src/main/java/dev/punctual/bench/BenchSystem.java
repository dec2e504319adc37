package dev.punctual.bench;

import java.time.Instant;

/** One scheduler under test: its schema, its jobs, one instance of it, and its progress. */
interface BenchSystem {
  String name();

  /** Creates the system's tables in an empty schema. */
  void prepare(BenchDb db) throws Exception;

  /**
   * Stores {@code n} one-shot no-op jobs due at {@code start + i / perSecond} (all at {@code start}
   * when {@code perSecond} is 0), straight into the system's tables.
   */
  void seed(BenchDb db, int n, Instant start, double perSecond) throws Exception;

  /** Starts one instance of the scheduler, recording each execution; closing stops it. */
  AutoCloseable start(BenchDb db, String instance, Recorder recorder, boolean lowLatency)
      throws Exception;

  /** Jobs not yet executed to the end (run and recorded as done). */
  long remaining(BenchDb db) throws Exception;

  /** True when executions are HTTP calls to a {@link BenchTarget}, which records them. */
  default boolean deliversOverHttp() {
    return false;
  }

  /** {@code key=value} figures of the instance, written when it stops (may be empty). */
  default String stats() {
    return "";
  }

  static BenchSystem named(String name) {
    return switch (name) {
      case "punctual" -> new PunctualSystem(false);
      case "punctual-http" -> new PunctualSystem(true);
      case "punctual-amqp" -> new PunctualSystem(PunctualSystem.Mode.AMQP);
      case "punctual-redis" -> new PunctualSystem(PunctualSystem.Mode.REDIS);
      case "punctual-nats" -> new PunctualSystem(PunctualSystem.Mode.NATS);
      case "db-scheduler" -> new DbSchedulerSystem();
      case "quartz" -> new QuartzSystem();
      default -> throw new IllegalArgumentException("unknown system " + name);
    };
  }

  /** SQL for the due time of job {@code i} (a column of generate_series named i). */
  static String dueAt(Instant start, double perSecond) {
    long stepMicros = perSecond == 0 ? 0 : Math.round(1_000_000 / perSecond);
    return "(timestamptz '%s' + (i * %d) * interval '1 microsecond')".formatted(start, stepMicros);
  }
}
