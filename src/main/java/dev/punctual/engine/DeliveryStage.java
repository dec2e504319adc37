package dev.punctual.engine;

import dev.punctual.delivery.Attempt;
import dev.punctual.delivery.AttemptResult;
import dev.punctual.delivery.Deliverer;
import dev.punctual.queue.OutcomeDecision;
import dev.punctual.queue.RunQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers runs: those this node fired arrive already owned (no second claim); the rest are claimed
 * from the table when there is room. At most {@code maxInFlight} attempts at once, tenants served
 * in turn with at most {@code tenantMaxInFlight} each ({@link FairQueue}); outcomes are written in
 * batches by one writer.
 */
final class DeliveryStage {
  private static final Logger log = LoggerFactory.getLogger(DeliveryStage.class);
  private static final int OUTCOME_BATCH = 500;

  /** How long a stop waits for the outcome writer to finish the batch it is writing. */
  private static final Duration WRITER_END = Duration.ofSeconds(5);

  private final String nodeId;
  private final EngineSettings settings;
  private final RunQueue runs;
  private final OutcomeWriter writer;
  private final Deliverer http;
  private final EngineMetrics metrics;
  private final FairQueue queue;
  // Runs of one tenant this node holds at most (waiting plus in flight), and of all tenants
  // waiting:
  // past these, fired runs are recorded PENDING for any worker, and claims leave them alone.
  private final int tenantHoldLimit;
  private final int holdLimit;
  private final BlockingQueue<RunQueue.Outcome> outcomes = new LinkedBlockingQueue<>();
  private final Semaphore slots;
  private final LongUnaryOperator jitter = bound -> ThreadLocalRandom.current().nextLong(bound + 1);

  /**
   * The last run claim had no room or filled its batch: runs may be waiting in the table. A
   * delivery that ends then wakes the claim loop as soon as there is room for a good batch, instead
   * of leaving it asleep for the poll interval while slots stand empty.
   */
  private volatile boolean backlog;

  private final int refillRoom;

  /**
   * Runs whose attempt has started and whose outcome is not yet queued for the writer. Added before
   * the dispatcher looks whether it may still send, so that a stop either sees the run here or the
   * dispatcher sees the stop (never neither).
   */
  private final Set<Long> attempting = ConcurrentHashMap.newKeySet();

  /**
   * The outcomes the writer has taken from the queue and not yet written (empty between batches).
   * Their attempts were made: a stop that cannot wait for the write any longer must not hand these
   * runs back as never attempted.
   */
  private volatile List<RunQueue.Outcome> writing = List.of();

  /**
   * Runs whose attempt was made but whose outcome could not be queued (recording it threw). Their
   * lease lapses and another claim takes them as their next attempt; a stop in the meantime must
   * leave them so, not hand them back as never attempted (they would be sent again under the same
   * attempt number). Only an error puts a run here, and a later outcome of the run (this node took
   * it over again) takes it out.
   */
  private final Set<Long> unrecorded = ConcurrentHashMap.newKeySet();

  private final AtomicBoolean metricsRefused = new AtomicBoolean();

  private final Semaphore wakeUp = new Semaphore(0);
  private volatile boolean claiming;
  private volatile boolean dispatching;
  private volatile boolean writerOn;
  private volatile boolean killed;
  private final EngineThreads threads;
  private final Ticker ticker;
  private final DatabaseClock clock;
  private final EngineTracing tracing;
  private Future<?> claimLoop;
  private Future<?> writeLoop;

  DeliveryStage(NodeContext node, RunQueue runs, OutcomeWriter writer, Deliverer http) {
    this.tracing = node.tracing();
    this.threads = node.threads();
    this.ticker = node.ticker();
    this.clock = node.clock();
    this.nodeId = node.nodeId();
    this.settings = node.settings();
    this.metrics = node.metrics();
    this.runs = runs;
    this.writer = writer;
    this.http = http;
    metrics.measureInFlight(this::inFlight);
    this.slots = new Semaphore(settings.maxInFlight());
    this.queue = new FairQueue(settings.tenantMaxInFlight());
    this.tenantHoldLimit = 4 * settings.tenantMaxInFlight();
    this.holdLimit = 4 * settings.maxInFlight();
    this.refillRoom = Math.max(1, settings.maxInFlight() / 4);
  }

  void start() {
    claiming = dispatching = writerOn = true;
    claimLoop =
        threads.start(
            "run-claim", new Loop("run-claim", this::claimTurn, () -> claiming, metrics, ticker));
    threads.start(
        "dispatch", new Loop("dispatch", this::dispatchTurn, () -> dispatching, metrics, ticker));
    writeLoop =
        threads.start(
            "outcomes", new Loop("outcomes", this::writeTurn, () -> writerOn, metrics, ticker));
  }

  /**
   * Decides, run by run, which runs fired now this node owns at once (the fast path). Past a few
   * batches of attempts waiting, overall or for one tenant, they are recorded PENDING for any
   * worker instead: a run must not wait in this node's memory until its lease runs out and another
   * node attempts it too, nor queue behind one tenant's burst.
   */
  Admission admission() {
    return new Admission();
  }

  final class Admission {
    private final Map<Long, Integer> admitted = new HashMap<>();
    private int total = queue.queued();

    boolean admit(long tenantId) {
      int mine = admitted.getOrDefault(tenantId, 0);
      if (total >= holdLimit || queue.load(tenantId) + mine >= tenantHoldLimit) {
        return false;
      }
      admitted.put(tenantId, mine + 1);
      total++;
      return true;
    }
  }

  /** Runs this node fired, already owned by it: the fast path. */
  void accept(List<RunQueue.OwnedRun> fired) {
    queue.addAll(fired);
  }

  void wake() {
    wakeUp.release();
  }

  int inFlight() {
    return attempting.size();
  }

  /**
   * Graceful stop: no new claims or attempts; waits up to the grace period for attempts in progress
   * and their outcomes, writes the outcomes, then gives every run still held back to the queue.
   *
   * <p>Order matters for exactly-once accounting. The writer ends its batch before the hand-back: a
   * batch it had taken from the queue but not yet written would otherwise be handed back as never
   * attempted, and delivered again with the same attempt number (seen in a rolling restart: 107
   * runs of one batch delivered twice in one attempt); a batch still not written after {@link
   * #WRITER_END} is treated as in progress (below). Runs whose attempt is still in progress at the
   * end of the grace period are not handed back as unattempted: their request may have reached the
   * target, so they are left as a dead node leaves them (lease over), and the node that takes them
   * over counts its attempt as the next one.
   */
  void stop(Duration grace) {
    claiming = false;
    dispatching = false;
    wakeUp.release();
    long deadline = ticker.nanoTime() + grace.toNanos();
    // A claim finishing after the hand-back below would keep its runs' leases till they expire.
    EngineThreads.awaitEnd(grace.plusSeconds(5), claimLoop);
    while ((!attempting.isEmpty() || !outcomes.isEmpty()) && ticker.nanoTime() < deadline) {
      sleep(20);
    }
    writerOn = false;
    EngineThreads.awaitEnd(WRITER_END, writeLoop);
    // Read before the last outcomes are taken from the queue: an attempt ending in between has
    // queued its outcome before leaving this set, so it is either written below or counted here.
    List<Long> unfinished = new ArrayList<>(attempting);
    // A batch the writer still holds after its wait (a database that does not answer) is written
    // late or never: its runs are left like those in progress, with their attempt, so that a late
    // write still lands (same owner, same attempt) and otherwise another node takes them over.
    writing.forEach(o -> unfinished.add(o.runId()));
    unfinished.addAll(unrecorded);
    flushOutcomes();
    queue.clear();
    try {
      RunQueue.HandBack handed = runs.handBack(nodeId, unfinished);
      log.info(
          "Handed back {} runs not attempted; left {} with an attempt in progress to be taken over",
          handed.notAttempted(),
          handed.inProgress());
    } catch (RuntimeException e) {
      log.warn("Could not hand back runs (another node takes them over): {}", e.toString());
    }
  }

  /** Abandons everything at once, like a killed process (tests): no outcome is written. */
  void kill() {
    killed = true;
    claiming = dispatching = writerOn = false;
    wakeUp.release();
    queue.clear();
    outcomes.clear();
  }

  private void claimTurn() throws InterruptedException {
    int room = slots.availablePermits() - queue.queued();
    backlog = room <= 0;
    if (room > 0) {
      long started = ticker.nanoTime();
      RunQueue.RunClaim claim =
          runs.claim(
              nodeId,
              Math.min(room, settings.claimBatch()),
              settings.deadNodeAfter(),
              queue.busy(tenantHoldLimit),
              started);
      int claimed = claim.runs().size() + claim.broken().size();
      metrics.claim("runs", claimed, ticker.nanoTime() - started);
      queue.addAll(claim.runs());
      failBroken(claim.broken());
      if (claimed == Math.min(room, settings.claimBatch())) {
        backlog = true;
        return; // more may be due: claim again at once
      }
    }
    wakeUp.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    wakeUp.drainPermits();
  }

  /** Runs whose job's definition cannot be read fail at once, each logged once, with the reason. */
  private void failBroken(List<RunQueue.BrokenRun> broken) {
    if (broken.isEmpty()) {
      return;
    }
    runs.failBroken(nodeId, broken);
    for (RunQueue.BrokenRun run : broken) {
      log.atError()
          .addKeyValue("job.id", run.jobId())
          .addKeyValue("run.id", run.id())
          .log(
              "Run {} of job {} FAILED without an attempt: {}",
              run.id(),
              run.jobId(),
              run.reason());
    }
    metrics.runsUnreadable(broken.size());
  }

  private void dispatchTurn() throws InterruptedException {
    RunQueue.OwnedRun run = queue.take(200, TimeUnit.MILLISECONDS);
    if (run == null) {
      return;
    }
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      queue.done(run.tenantId());
      throw e;
    }
    attempting.add(run.id());
    if (!dispatching) {
      attempting.remove(run.id());
      slots.release();
      queue.done(run.tenantId());
      return; // stopping: the run stays ours until handed back
    }
    if (!stillOurs(run)) {
      attempting.remove(run.id());
      slots.release();
      queue.done(run.tenantId());
      return; // taken over while it waited here: the node that took it makes the attempt
    }
    // The database's clock, as this node reads it: start times and signatures agree across nodes.
    Instant started = clock.now();
    EngineTracing.Attempt span = tracing.attempt(run);
    Attempt attempt =
        new Attempt(
            run.id(),
            run.jobId(),
            run.jobName(),
            run.scheduledFor(),
            run.attempt(),
            started,
            run.target(),
            run.signingSecrets(),
            span.headers());
    http.send(attempt)
        .whenComplete(
            (result, error) -> {
              try {
                AttemptResult outcome = result != null ? result : failure(error);
                span.end(outcome.outcome().name().toLowerCase(Locale.ROOT));
                if (!killed) {
                  record(run, outcome, started);
                }
              } catch (RuntimeException e) {
                // Not lost in the future: the run's lease lapses and it is attempted again.
                unrecorded.add(run.id());
                metrics.loopError("outcomes");
                log.atError()
                    .addKeyValue("tenant.id", run.tenantId())
                    .addKeyValue("job.id", run.jobId())
                    .addKeyValue("run.id", run.id())
                    .setCause(e)
                    .log("Could not record the outcome of run {}", run.id());
              } finally {
                attempting.remove(run.id()); // after its outcome is queued: see stop()
                queue.done(run.tenantId());
                slots.release();
                if (backlog && slots.availablePermits() - queue.queued() >= refillRoom) {
                  backlog = false;
                  wakeUp.release();
                }
              }
            });
  }

  /**
   * Whether this node may make the run's attempt now. A run waits in this node's queue while the
   * slots are busy, and its lease (the attempt's timeout plus the margin, from its fire or claim)
   * does not count that wait: behind slow targets (a tenant's last held runs wait three rounds of
   * its attempts, each up to its timeout, and longer when other tenants fill the slots) it could
   * run out before the attempt ends, and another claim would take the run and send it too. So an
   * attempt that could not end with at least half the margin of its lease left renews the lease
   * first (one write, only for runs that waited); a run whose lease another claim has already taken
   * (the renewal finds it no longer this node's attempt) is left to that claim. A renewal that
   * fails (the database unreachable) sends nothing: the lease runs out and the run is claimed
   * again, its attempt counted as made.
   */
  private boolean stillOurs(RunQueue.OwnedRun run) {
    Duration timeout = run.target().timeout();
    long leaseEnd = run.leasedAtNanos() + runs.leaseOf(timeout).toNanos();
    long attemptEnd = ticker.nanoTime() + timeout.toNanos() + runs.attemptMargin().toNanos() / 2;
    if (attemptEnd <= leaseEnd) {
      return true;
    }
    try {
      if (runs.renewLease(nodeId, run.id(), run.attempt(), timeout)) {
        metrics.leaseRenewed();
        return true;
      }
      log.atInfo()
          .addKeyValue("tenant.id", run.tenantId())
          .addKeyValue("run.id", run.id())
          .log(
              "Run {} waited here past its lease and was taken over; this node does not send"
                  + " attempt {}",
              run.id(),
              run.attempt());
    } catch (RuntimeException e) {
      log.atWarn()
          .addKeyValue("run.id", run.id())
          .log("Could not renew the lease of run {}; not sending it: {}", run.id(), e.toString());
    }
    return false;
  }

  private static AttemptResult failure(Throwable error) {
    return new AttemptResult(
        AttemptResult.Outcome.FAILURE, null, String.valueOf(error), null, 0, null);
  }

  /**
   * Queues the outcome for the writer, then counts it. In that order: a meter registry that throws
   * (Prometheus refuses a name registered twice with different tags) must not cost the outcome.
   */
  private void record(RunQueue.OwnedRun run, AttemptResult result, Instant started) {
    outcomes.add(
        OutcomeDecision.decide(
            run.id(), run.attempt(), run.retry(), result, started, run.countsFailures(), jitter));
    if (!unrecorded.isEmpty()) {
      unrecorded.remove(run.id());
    }
    try {
      metrics.delivery(
          result.outcome().name().toLowerCase(Locale.ROOT), result.durationMs(), run.tenantId());
    } catch (RuntimeException e) {
      // Once: a registry that refuses a meter refuses it at every delivery.
      if (metricsRefused.compareAndSet(false, true)) {
        log.warn("Could not count the attempt of run {} (logged once): {}", run.id(), e.toString());
      }
    }
  }

  private void writeTurn() throws InterruptedException {
    RunQueue.Outcome first = outcomes.poll(200, TimeUnit.MILLISECONDS);
    if (first == null) {
      return;
    }
    List<RunQueue.Outcome> batch = new ArrayList<>();
    batch.add(first);
    outcomes.drainTo(batch, OUTCOME_BATCH - 1);
    writing = batch;
    try {
      paused(writer.write(batch));
    } catch (RuntimeException e) {
      // Keep them: the database may be back in a moment. If this node dies first, the runs'
      // leases lapse and another node attempts them again (at least once).
      if (!killed) {
        outcomes.addAll(batch);
      }
      throw e;
    } finally {
      writing = List.of();
    }
  }

  /** Jobs the outcomes just paused, each logged once (the job does not fire until resumed). */
  private void paused(List<JobStore.AutoPaused> paused) {
    for (JobStore.AutoPaused job : paused) {
      log.atWarn()
          .addKeyValue("tenant.id", job.tenantId())
          .addKeyValue("job.id", job.jobId())
          .addKeyValue("run.id", job.lastRunId())
          .log(
              "Job {} ({}) of tenant {} is paused: {} runs in a row failed, the last run {}",
              job.jobId(),
              job.name(),
              job.tenantId(),
              job.failures(),
              job.lastRunId());
    }
    metrics.jobsAutoPaused(paused.size());
  }

  private void flushOutcomes() {
    List<RunQueue.Outcome> batch = new ArrayList<>();
    outcomes.drainTo(batch);
    if (!batch.isEmpty()) {
      try {
        paused(writer.write(batch));
      } catch (RuntimeException e) {
        log.warn("Could not record {} outcomes at shutdown: {}", batch.size(), e.toString());
      }
    }
  }

  private void sleep(long millis) {
    try {
      ticker.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
