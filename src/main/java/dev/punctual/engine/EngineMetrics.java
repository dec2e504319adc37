package dev.punctual.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The engine's metrics (Micrometer; {@code /actuator/prometheus} in the service). */
final class EngineMetrics {
  private final MeterRegistry registry;
  private final Timer fireLag;
  private final Timer deliveryDuration;
  private final Timer fireDuration;
  private final DistributionSummary fireBatch;
  private final AtomicInteger liveNodes = new AtomicInteger();
  private final AtomicLong brokenJobs = new AtomicLong();
  private final AtomicLong runsWaiting = new AtomicLong();
  private final AtomicInteger databaseUp = new AtomicInteger(1);

  /** Deliveries in progress: none until a delivery stage {@linkplain #measureInFlight measures}. */
  private volatile Supplier<Number> inFlight = () -> 0;

  EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.fireLag =
        Timer.builder("punctual.fire.lag")
            .description("Actual minus scheduled fire time, at the commit of the run")
            // Buckets, not client-side percentiles: Prometheus computes p50/p99 of one node or of
            // the whole cluster from them (histogram_quantile), and Micrometer's Prometheus
            // registry does not publish both for one timer.
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(2))
            .register(registry);
    this.deliveryDuration =
        Timer.builder("punctual.delivery.duration")
            .description("Duration of one delivery attempt")
            .publishPercentileHistogram()
            .register(registry);
    this.fireDuration =
        Timer.builder("punctual.fire.duration")
            .description("Time of one fire transaction (advance the jobs, insert the runs)")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    this.fireBatch =
        DistributionSummary.builder("punctual.fire.batch.size")
            .description("Fires recorded by one transaction")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    // Counters start at zero on every node, so that an alert's increase() sees their first
    // increment (a series that appears at 1 has no increase to show).
    for (String loop :
        List.of(
            "heartbeat",
            "retention",
            "claim",
            "fire",
            "run-claim",
            "dispatch",
            "outcomes",
            "notify")) {
      Counter.builder("punctual.loop.errors").tag("loop", loop).register(registry);
    }
    for (String outcome : List.of("fired", "skipped", "caught_up", "misfired")) {
      Counter.builder("punctual.fires").tag("outcome", outcome).register(registry);
    }
    for (String outcome : List.of("success", "failure", "timeout", "blocked", "gone")) {
      Counter.builder("punctual.deliveries").tag("outcome", outcome).register(registry);
    }
    Gauge.builder("punctual.runs.in.flight", () -> inFlight.get().intValue())
        .description("Deliveries in progress on this node")
        .register(registry);
    Gauge.builder("punctual.nodes.live", liveNodes, AtomicInteger::get)
        .description("Nodes whose heartbeat is recent")
        .register(registry);
    Gauge.builder("punctual.runs.waiting", runsWaiting, AtomicLong::get)
        .description(
            "Runs due and not being delivered (pending or waiting to retry), counted at each"
                + " heartbeat up to 100,000")
        .register(registry);
    Gauge.builder("punctual.database.up", databaseUp, AtomicInteger::get)
        .description("1 when this node's last heartbeat reached the database, else 0")
        .register(registry);
    Gauge.builder("punctual.jobs.broken", brokenJobs, AtomicLong::get)
        .description(
            "Jobs (of every tenant) whose stored definition the engine cannot read; they do not"
                + " fire until a PUT or PATCH repairs them")
        .register(registry);
  }

  void fireLag(Duration lag) {
    fireLag.record(lag.isNegative() ? Duration.ZERO : lag);
  }

  /** outcome: fired, skipped, caught_up, misfired. */
  void fires(String outcome, int count) {
    if (count > 0) {
      Counter.builder("punctual.fires").tag("outcome", outcome).register(registry).increment(count);
    }
  }

  /**
   * outcome: success, failure, timeout, blocked, gone. Counted twice: overall, and by tenant (its
   * id) for the per-tenant failure ratio: one series per tenant and outcome that occurred.
   */
  void delivery(String outcome, long millis, long tenantId) {
    Counter.builder("punctual.deliveries").tag("outcome", outcome).register(registry).increment();
    Counter.builder("punctual.tenant.deliveries")
        .description("Delivery attempts by tenant id and outcome")
        .tag("tenant", Long.toString(tenantId))
        .tag("outcome", outcome)
        .register(registry)
        .increment();
    deliveryDuration.record(Duration.ofMillis(millis));
  }

  void runsWaiting(long count) {
    runsWaiting.set(count);
  }

  void databaseUp(boolean up) {
    databaseUp.set(up ? 1 : 0);
  }

  /** what: jobs (trigger stage) or runs (delivery stage). */
  void claim(String what, int size, long nanos) {
    Timer.builder("punctual.claim.duration")
        .description("Time of one claim statement")
        .tag("what", what)
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos(nanos));
    DistributionSummary.builder("punctual.claim.batch.size")
        .description("Jobs or runs taken by one claim")
        .tag("what", what)
        .register(registry)
        .record(size);
  }

  void fireBatch(int size, long nanos) {
    fireBatch.record(size);
    fireDuration.record(Duration.ofNanos(nanos));
  }

  void liveNodes(int count) {
    liveNodes.set(count);
  }

  void loopError(String loop) {
    Counter.builder("punctual.loop.errors").tag("loop", loop).register(registry).increment();
  }

  void brokenJobs(long count) {
    brokenJobs.set(count);
  }

  /** Jobs this node has just quarantined. */
  void jobsMarkedBroken(int count) {
    if (count > 0) {
      Counter.builder("punctual.jobs.marked.broken").register(registry).increment(count);
    }
  }

  /** Jobs paused by the service: {@code pauseAfterFailures} runs in a row failed. */
  void jobsAutoPaused(int count) {
    if (count > 0) {
      Counter.builder("punctual.jobs.auto.paused").register(registry).increment(count);
    }
  }

  /** outcome: delivered, retrying, failed. */
  void notification(String outcome) {
    Counter.builder("punctual.notifications")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  /** Runs failed without an attempt because their job's definition is unreadable. */
  void runsUnreadable(int count) {
    Counter.builder("punctual.runs.unreadable").register(registry).increment(count);
  }

  /** A run that waited in this node's queue long enough to need its lease renewed to be sent. */
  void leaseRenewed() {
    Counter.builder("punctual.runs.lease.renewals")
        .description("Runs whose lease was renewed before their attempt: they waited in the queue")
        .register(registry)
        .increment();
  }

  void runsDeleted(int count) {
    Counter.builder("punctual.runs.deleted").register(registry).increment(count);
  }

  /** The delivery stage of the node reports its deliveries in progress through {@code inFlight}. */
  void measureInFlight(Supplier<Number> inFlight) {
    this.inFlight = inFlight;
  }
}
