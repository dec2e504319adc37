package dev.punctual.engine;

import dev.punctual.config.EngineProperties;
import dev.punctual.config.NodeRole;
import dev.punctual.definition.Leases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The engine's knobs, with the defaults of {@link Builder}; the service binds them from {@code
 * punctual.engine.*} ({@link #from}), tests build their own. Every combination is validated when
 * built, so a bad value stops the node at start with a message naming the setting.
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
 * @param warmUpRequests requests a worker node delivers to a sink of its own while it starts
 *     ({@code DeliveryWarmUp}), then runs a node fires through an engine on a schema of its own
 *     ({@code FireWarmUp}), before it takes its first real fire; 0: neither
 * @param attemptMargin how long past an attempt's timeout its run stays leased to the node, for the
 *     outcome to be written ({@link dev.punctual.definition.Leases#ATTEMPT_MARGIN}); not a property
 *     of the service: tests shorten it to see leases run out in seconds
 */
public record EngineSettings(
    Set<NodeRole> roles,
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
    int tenantMaxInFlight,
    int warmUpRequests,
    Duration attemptMargin) {

  public EngineSettings {
    roles = Set.copyOf(roles);
    List<String> errors = new ArrayList<>();
    between(errors, "lookahead", lookahead, Duration.ofMillis(100), Duration.ofMinutes(1));
    between(errors, "poll-interval", pollInterval, Duration.ofMillis(10), Duration.ofMinutes(1));
    between(errors, "claim-batch", claimBatch, 1, 10_000);
    between(errors, "job-lease", jobLease, Duration.ofSeconds(1), Duration.ofMinutes(10));
    between(errors, "dead-node-after", deadNodeAfter, Duration.ofSeconds(2), Duration.ofHours(1));
    between(
        errors,
        "heartbeat-interval",
        heartbeatInterval,
        Duration.ofMillis(100),
        Duration.ofMinutes(1));
    between(
        errors, "misfire-threshold", misfireThreshold, Duration.ofSeconds(1), Duration.ofDays(1));
    between(errors, "max-in-flight", maxInFlight, 1, 100_000);
    between(errors, "fire-batch-window", fireBatchWindow, Duration.ZERO, Duration.ofSeconds(1));
    between(errors, "shutdown-grace", shutdownGrace, Duration.ZERO, Duration.ofHours(1));
    between(errors, "retention", retention, Duration.ofMinutes(1), Duration.ofDays(3660));
    between(errors, "tenant-fire-rate", tenantFireRate, 0, 1_000_000);
    between(errors, "tenant-max-in-flight", tenantMaxInFlight, 1, 100_000);
    between(errors, "warm-up-requests", warmUpRequests, 0, 1_000_000);
    between(errors, "attempt-margin", attemptMargin, Duration.ofSeconds(1), Duration.ofHours(1));
    if (errors.isEmpty()) {
      // The relations the guarantees rest on.
      if (jobLease.compareTo(lookahead) <= 0) {
        errors.add(
            "job-lease (%s) must be longer than lookahead (%s): a job claimed ahead must still be"
                    .formatted(jobLease, lookahead)
                + " leased when it fires");
      }
      if (deadNodeAfter.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
        errors.add(
            "dead-node-after (%s) must be at least twice heartbeat-interval (%s), or live nodes"
                    .formatted(deadNodeAfter, heartbeatInterval)
                + " are taken for dead");
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid engine settings (punctual.engine.*, PUNCTUAL_ENGINE_*): "
              + String.join("; ", errors));
    }
  }

  public static EngineSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The defaults, changed by each setting the properties give. */
  public static EngineSettings from(Set<NodeRole> roles, EngineProperties p) {
    Builder b = builder().roles(roles);
    set(p.lookahead(), b::lookahead);
    set(p.pollInterval(), b::pollInterval);
    set(p.claimBatch(), b::claimBatch);
    set(p.jobLease(), b::jobLease);
    set(p.deadNodeAfter(), b::deadNodeAfter);
    set(p.heartbeatInterval(), b::heartbeatInterval);
    set(p.misfireThreshold(), b::misfireThreshold);
    set(p.maxInFlight(), b::maxInFlight);
    set(p.fireBatchWindow(), b::fireBatchWindow);
    set(p.shutdownGrace(), b::shutdownGrace);
    set(p.retention(), b::retention);
    set(p.tenantFireRate(), b::tenantFireRate);
    set(p.tenantMaxInFlight(), b::tenantMaxInFlight);
    set(p.warmUpRequests(), b::warmUpRequests);
    return b.build();
  }

  private static <T> void set(T value, Consumer<T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }

  private static void between(
      List<String> errors, String name, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      errors.add("%s must be %s to %s, not %s".formatted(name, min, max, value));
    }
  }

  private static void between(List<String> errors, String name, int value, int min, int max) {
    if (value < min || value > max) {
      errors.add("%s must be %d to %d, not %d".formatted(name, min, max, value));
    }
  }

  /**
   * The settings of the engine a node's fire warm-up runs ({@code FireWarmUp}): this node's, with
   * both engine roles, no tenant fire cap (its one tenant fires as fast as the node can), a short
   * shutdown grace and no warm-up of its own.
   */
  EngineSettings forWarmUp() {
    return new EngineSettings(
        Set.of(NodeRole.SCHEDULER, NodeRole.WORKER),
        lookahead,
        pollInterval,
        claimBatch,
        jobLease,
        deadNodeAfter,
        heartbeatInterval,
        misfireThreshold,
        maxInFlight,
        fireBatchWindow,
        Duration.ofSeconds(2),
        retention,
        0,
        maxInFlight,
        0,
        attemptMargin);
  }

  public boolean schedules() {
    return roles.contains(NodeRole.SCHEDULER);
  }

  public boolean delivers() {
    return roles.contains(NodeRole.WORKER);
  }

  /** The defaults of the service, changed one setting at a time. */
  public static final class Builder {
    private Set<NodeRole> roles = Set.of(NodeRole.values());
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
    private Integer tenantMaxInFlight; // default: 64, or maxInFlight when that is smaller
    // The smallest count that warmed both paths as well as larger ones (docs/benchmarks-log.md).
    private int warmUpRequests = 5_000;
    private Duration attemptMargin = Leases.ATTEMPT_MARGIN;

    public Builder roles(Set<NodeRole> value) {
      roles = Set.copyOf(value);
      return this;
    }

    public Builder lookahead(Duration value) {
      lookahead = value;
      return this;
    }

    public Builder pollInterval(Duration value) {
      pollInterval = value;
      return this;
    }

    public Builder claimBatch(int value) {
      claimBatch = value;
      return this;
    }

    public Builder jobLease(Duration value) {
      jobLease = value;
      return this;
    }

    public Builder deadNodeAfter(Duration value) {
      deadNodeAfter = value;
      return this;
    }

    public Builder heartbeatInterval(Duration value) {
      heartbeatInterval = value;
      return this;
    }

    public Builder misfireThreshold(Duration value) {
      misfireThreshold = value;
      return this;
    }

    public Builder maxInFlight(int value) {
      maxInFlight = value;
      return this;
    }

    public Builder fireBatchWindow(Duration value) {
      fireBatchWindow = value;
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

    public Builder tenantFireRate(int value) {
      tenantFireRate = value;
      return this;
    }

    public Builder tenantMaxInFlight(int value) {
      tenantMaxInFlight = value;
      return this;
    }

    public Builder warmUpRequests(int value) {
      warmUpRequests = value;
      return this;
    }

    public Builder attemptMargin(Duration value) {
      attemptMargin = value;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming every setting out of range
     */
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
          // A node cannot give one tenant more than all of its slots.
          Math.min(tenantMaxInFlight == null ? 64 : tenantMaxInFlight, maxInFlight),
          warmUpRequests,
          attemptMargin);
    }
  }
}
