package dev.punctual.definition;

import java.time.Duration;

/**
 * What a job calls at each fire. Every kind has a timeout over one attempt, which also sets how
 * long a node owns a run it delivers ({@link Leases#ofAttempt}). A new kind is a new case here, its
 * codec in {@link DefinitionCodec}, its validation in the Jobs API and its deliverer.
 */
public sealed interface Target permits HttpTarget, AmqpTarget, RedisTarget, NatsTarget {
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  TargetKind kind();

  Duration timeout();

  /** The message or request body sent at each attempt; null for none. */
  String body();
}
