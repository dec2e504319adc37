package dev.punctual.engine;

import java.time.Duration;
import java.util.Set;

/**
 * The engine's knobs, with the defaults of {@link #defaults()}; Spring fills them from {@code
 * punctual.engine.*}, tests build their own.
 *
 * @param roles what this node does: {@code scheduler} fires schedules, {@code worker} delivers
 * @param lookahead how far ahead jobs are claimed; they then wait in memory and fire on time
 * @param pollInterval the longest wait between claims when no notification wakes the engine
 * @param claimBatch jobs or runs claimed per statement
 * @param jobLease how long a claimed job stays reserved for this node if it never fires it
 * @param deadNodeAfter a node silent this long is dead and its work is taken over
 * @param heartbeatInterval how often a node heart-beats (and measures the database clock)
 * @param misfireThreshold fire times later than this are misfires, handled by the job's policy
 * @param maxInFlight deliveries in progress at once on this node
 * @param fireBatchWindow fires due within this window of each other share one transaction
 * @param shutdownGrace how long shutdown waits for deliveries in progress
 * @param retention finished runs older than this are deleted
 * @param tenantFireRate fires per second of one tenant on this node (0: no cap); a tenant past it
 *     is left out of claims until its budget refills, so its burst cannot delay other tenants
 * @param tenantMaxInFlight deliveries of one tenant in progress at once on this node; the local
 *     queue serves tenants in turn
 */
public record EngineSettings(
    Set<String> roles,
    Duration lookahead,
    Duration pollInterval,
    int claimBatch,
    Duration jobLease,
    Duration deadNodeAfter,
    Duration heartbeatInterval,
    Duration misfireThreshold,
    int maxInFlight,
    Duration fireBatchWindow,
    Duration shutdownGrace,
    Duration retention,
    int tenantFireRate,
    int tenantMaxInFlight) {

  public static EngineSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean schedules() {
    return roles.contains("scheduler");
  }

  public boolean delivers() {
    return roles.contains("worker");
  }

  /** The defaults of the service, changed one setting at a time. */
  public static final class Builder {
    private Set<String> roles = Set.of("api", "scheduler", "worker");
    private Duration lookahead = Duration.ofSeconds(2);
    private Duration pollInterval = Duration.ofMillis(500);
    private int claimBatch = 500;
    private Duration jobLease = Duration.ofSeconds(5);
    private Duration deadNodeAfter = Duration.ofSeconds(10);
    private Duration heartbeatInterval = Duration.ofSeconds(1);
    private Duration misfireThreshold = Duration.ofMinutes(1);
    private int maxInFlight = 256;
    private Duration fireBatchWindow = Duration.ofMillis(2);
    private Duration shutdownGrace = Duration.ofSeconds(20);
    private Duration retention = Duration.ofDays(7);
    private int tenantFireRate = 1000;
    private int tenantMaxInFlight = 64;

    public Builder roles(Set<String> value) {
      roles = Set.copyOf(value);
      return this;
    }

    public Builder misfireThreshold(Duration value) {
      misfireThreshold = value;
      return this;
    }

    public Builder shutdownGrace(Duration value) {
      shutdownGrace = value;
      return this;
    }

    public Builder retention(Duration value) {
      retention = value;
      return this;
    }

    public Builder pollInterval(Duration value) {
      pollInterval = value;
      return this;
    }

    public Builder maxInFlight(int value) {
      maxInFlight = value;
      return this;
    }

    public Builder tenantFireRate(int value) {
      tenantFireRate = value;
      return this;
    }

    public Builder tenantMaxInFlight(int value) {
      tenantMaxInFlight = value;
      return this;
    }

    public EngineSettings build() {
      return new EngineSettings(
          roles,
          lookahead,
          pollInterval,
          claimBatch,
          jobLease,
          deadNodeAfter,
          heartbeatInterval,
          misfireThreshold,
          maxInFlight,
          fireBatchWindow,
          shutdownGrace,
          retention,
          tenantFireRate,
          Math.min(tenantMaxInFlight, maxInFlight));
    }
  }
}
