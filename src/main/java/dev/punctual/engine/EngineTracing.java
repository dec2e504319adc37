package dev.punctual.engine;

import dev.punctual.queue.RunQueue;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The engine's spans (docs/operations.md, "Traces"): one per fire of a run ({@code punctual.fire},
 * from the fire time to the commit), and one per attempt ({@code punctual.attempt}, a child of the
 * fire when this node fired the run) whose context goes to the target in W3C {@code traceparent},
 * so that a receiver's trace joins the run's. Tagged with tenant, job and run ids. {@link #NONE}
 * when tracing is off: no span is made.
 */
public final class EngineTracing {
  public static final EngineTracing NONE = new EngineTracing(Tracer.NOOP, Propagator.NOOP);

  private final Tracer tracer;
  private final Propagator propagator;

  public EngineTracing(Tracer tracer, Propagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  boolean on() {
    return this != NONE;
  }

  /** The fire of one run: from its fire time to the commit that recorded it. */
  TraceContext fire(
      long tenantId,
      long jobId,
      long runId,
      Instant scheduledFor,
      String trigger,
      Instant committed) {
    if (!on()) {
      return null;
    }
    Instant start = scheduledFor.isBefore(committed) ? scheduledFor : committed;
    Span span =
        tracer
            .spanBuilder()
            .name("punctual.fire")
            .tag("punctual.tenant.id", String.valueOf(tenantId))
            .tag("punctual.job.id", String.valueOf(jobId))
            .tag("punctual.run.id", String.valueOf(runId))
            .tag("punctual.trigger", trigger)
            .startTimestamp(micros(start), TimeUnit.MICROSECONDS)
            .start();
    span.end(micros(committed), TimeUnit.MICROSECONDS);
    return span.context();
  }

  /** An attempt's span, started; {@link Attempt#headers()} carry its context to the target. */
  Attempt attempt(RunQueue.OwnedRun run) {
    if (!on()) {
      return Attempt.NONE;
    }
    Span.Builder builder = tracer.spanBuilder().name("punctual.attempt").kind(Span.Kind.CLIENT);
    if (run.fireTrace() != null) {
      builder = builder.setParent(run.fireTrace());
    }
    Span span =
        builder
            .tag("punctual.tenant.id", String.valueOf(run.tenantId()))
            .tag("punctual.job.id", String.valueOf(run.jobId()))
            .tag("punctual.run.id", String.valueOf(run.id()))
            .tag("punctual.attempt", run.attempt())
            .start();
    Map<String, String> headers = new LinkedHashMap<>();
    propagator.inject(span.context(), headers, Map::put);
    return new Attempt(span, Map.copyOf(headers));
  }

  /** A started attempt span and the headers that carry it. */
  record Attempt(Span span, Map<String, String> headers) {
    static final Attempt NONE = new Attempt(null, Map.of());

    void end(String outcome) {
      if (span != null) {
        span.tag("punctual.outcome", outcome).end();
      }
    }
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000L;
  }
}
