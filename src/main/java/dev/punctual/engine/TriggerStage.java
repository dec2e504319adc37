package dev.punctual.engine;

import dev.punctual.node.LiveNodes;
import dev.punctual.queue.NewRuns;
import dev.punctual.queue.RunQueue;
import dev.punctual.queue.RunStatus;
import dev.punctual.queue.RunTrigger;
import io.micrometer.tracing.TraceContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Claims due jobs a little ahead, holds them in an in-memory timer, and fires each at its exact
 * instant: one transaction per batch of fires that fall within a few milliseconds of each other.
 */
final class TriggerStage {
  private static final Logger log = LoggerFactory.getLogger(TriggerStage.class);
  private static final int MAX_FIRE_BATCH = 1000;
  private static final long FIRE_BEHIND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private final String nodeId;
  private final EngineSettings settings;
  private final JobStore jobs;
  private final TransactionTemplate transactions;
  private final DatabaseClock clock;
  private final EngineMetrics metrics;
  private final DeliveryStage delivery; // null when this node does not deliver
  private final EngineTracing tracing;
  private final DelayQueue<Timer> timer = new DelayQueue<>();
  private final Semaphore wakeUp = new Semaphore(0);
  private final TenantFireBudget budget;
  private final EngineThreads threads;
  private final Ticker ticker;
  private volatile boolean running;
  private Future<?> claimLoop;
  private Future<?> fireLoop;

  /**
   * {@code delivery}: this node's delivery stage, which takes the runs it fires and delivers
   * itself; null when the node does not deliver. {@code liveNodes}: the fire budget is divided by
   * the live schedulers.
   */
  TriggerStage(
      NodeContext node,
      JobStore jobs,
      TransactionTemplate transactions,
      DeliveryStage delivery,
      LiveNodes liveNodes) {
    this.tracing = node.tracing();
    this.threads = node.threads();
    this.ticker = node.ticker();
    this.nodeId = node.nodeId();
    this.settings = node.settings();
    this.clock = node.clock();
    this.metrics = node.metrics();
    this.jobs = jobs;
    this.transactions = transactions;
    this.delivery = delivery;
    this.budget = new TenantFireBudget(settings.tenantFireRate(), liveNodes::schedulers);
  }

  void start() {
    running = true;
    claimLoop =
        threads.start("claim", new Loop("claim", this::claimTurn, () -> running, metrics, ticker));
    fireLoop =
        threads.start("fire", new Loop("fire", this::fireTurn, () -> running, metrics, ticker));
  }

  /**
   * Stops claiming and firing; leases of jobs claimed and not fired are handed back once both loops
   * have finished their turn (a claim or fire committing after the hand-back would keep leases).
   */
  void stop() {
    running = false;
    wakeUp.release();
    EngineThreads.awaitEnd(STOP_WAIT, claimLoop, fireLoop);
    timer.clear();
    try {
      int handed = jobs.handBack(nodeId);
      log.info("Handed back {} claimed jobs", handed);
    } catch (RuntimeException e) {
      log.warn("Could not hand back claimed jobs (their leases will expire): {}", e.toString());
    }
  }

  /** Abandons everything at once, like a killed process (tests). */
  void kill() {
    running = false;
    wakeUp.release();
    timer.clear();
  }

  /** A job was created, changed or triggered with a near fire time: claim now. */
  void wake() {
    wakeUp.release();
  }

  int scheduled() {
    return timer.size();
  }

  private void claimTurn() throws InterruptedException {
    Timer head = timer.peek();
    if (head != null && ticker.nanoTime() - head.dueNanos > FIRE_BEHIND_NANOS) {
      // The fire loop is behind (a burst of due jobs): jobs claimed now would wait in the timer
      // until their leases lapse and other claims (ours too) take them again. Let it catch up.
      ticker.sleep(5);
      return;
    }
    if (fireDueNow() == settings.claimBatch()) {
      return; // more are due: take them before claiming ahead
    }
    long started = ticker.nanoTime();
    JobStore.Claim claim =
        jobs.claim(
            nodeId,
            settings.claimBatch(),
            settings.lookahead(),
            settings.jobLease(),
            settings.deadNodeAfter(),
            budget.exhausted());
    metrics.claim("jobs", claim.size(), ticker.nanoTime() - started);
    if (claim.databaseNow() != null) {
      clock.observe(claim.databaseNow(), started);
    }
    quarantine(jobs.markBroken(claim.broken()));
    for (ClaimedJob job : claim.jobs()) {
      budget.spend(job.tenantId());
      timer.add(new Timer(job, clock.localNanosAt(job.fireAt()), ticker));
    }
    if (claim.size() < settings.claimBatch()) {
      wakeUp.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
      wakeUp.drainPermits();
    }
  }

  private void fireTurn() throws InterruptedException {
    Timer first = timer.poll(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
    if (first == null || !running) {
      return;
    }
    List<ClaimedJob> due = new ArrayList<>();
    due.add(first.job);
    // One commit for many fires: every fire already due joins this batch, and so does every
    // fire due within the batch window. The window is fixed when the batch starts (a window
    // sliding with the clock would swallow a steady stream whole), and a node that fell behind
    // catches up in big batches. take() waits the few microseconds until each is due, so none
    // fires early.
    long windowEnd =
        Math.max(first.dueNanos, ticker.nanoTime()) + settings.fireBatchWindow().toNanos();
    for (Timer next = timer.peek();
        next != null && next.dueNanos <= windowEnd && due.size() < MAX_FIRE_BATCH;
        next = timer.peek()) {
      due.add(timer.take().job);
    }
    fire(due);
  }

  /**
   * Fires jobs already due (a backlog: a burst of one-shots, jobs created due, a node that was
   * down) without holding them in the timer: locked and fired in one transaction, so each costs one
   * write of its row instead of a lease and then the advance. Returns how many were locked.
   */
  private int fireDueNow() {
    long started = ticker.nanoTime();
    record Locked(
        JobStore.Claim claim,
        long claimNanos,
        Batch batch,
        JobStore.FireResult result,
        List<ClaimedJob.BrokenJob> broken) {}
    Locked locked =
        transactions.execute(
            tx -> {
              JobStore.Claim claim =
                  jobs.lockDue(settings.claimBatch(), settings.deadNodeAfter(), budget.exhausted());
              long claimNanos = ticker.nanoTime() - started;
              if (claim.size() == 0) {
                return new Locked(claim, claimNanos, null, null, List.of());
              }
              claim.jobs().forEach(job -> budget.spend(job.tenantId()));
              Batch batch = plan(claim.jobs());
              List<ClaimedJob.BrokenJob> broken = new ArrayList<>(claim.broken());
              broken.addAll(batch.broken());
              // In the same transaction: the broken rows are locked by it, the others fire.
              List<ClaimedJob.BrokenJob> marked = jobs.markBroken(broken);
              JobStore.FireResult result =
                  jobs.fire(
                      nodeId,
                      batch.advances(),
                      batch.runs(),
                      settings.lookahead(),
                      settings.jobLease());
              jobs.recordMisfires(batch.misfires(), result.won());
              return new Locked(claim, claimNanos, batch, result, marked);
            });
    metrics.claim("due_jobs", locked.claim().size(), locked.claimNanos());
    if (locked.claim().databaseNow() != null) {
      clock.observe(locked.claim().databaseNow(), started);
    }
    quarantine(locked.broken());
    if (locked.batch() != null) {
      fired(
          locked.batch(),
          locked.result(),
          ticker.nanoTime() - started - locked.claimNanos(),
          started);
    }
    return locked.claim().size();
  }

  /** Fires a batch in one transaction, then hands the new runs to this node's delivery. */
  void fire(List<ClaimedJob> due) {
    Batch batch = plan(newestClaims(due));
    long started = ticker.nanoTime();
    record Fired(JobStore.FireResult result, List<ClaimedJob.BrokenJob> broken) {}
    Fired fired =
        transactions.execute(
            tx -> {
              JobStore.FireResult result =
                  jobs.fire(
                      nodeId,
                      batch.advances(),
                      batch.runs(),
                      settings.lookahead(),
                      settings.jobLease());
              jobs.recordMisfires(batch.misfires(), result.won());
              return new Fired(result, jobs.markBroken(batch.broken()));
            });
    quarantine(fired.broken());
    fired(batch, fired.result(), ticker.nanoTime() - started, started);
  }

  /**
   * One entry per job, the newest claim's (highest fencing token). A write takes a job from the
   * node that keeps it in its timer; when the same node claims it again before the old entry is
   * due, both entries can fall in one batch. Only the newest may fire (the token says so), but the
   * old one carries the old definition: the run, and the job kept for its next fire, must not take
   * theirs from it. (Found by BrokenRowsIT: after a PATCH of its URL, an every-second job went on
   * calling the old URL.)
   */
  static List<ClaimedJob> newestClaims(List<ClaimedJob> due) {
    Map<Long, ClaimedJob> newest = new LinkedHashMap<>();
    for (ClaimedJob job : due) {
      newest.merge(job.id(), job, (a, b) -> a.fencingToken() >= b.fencingToken() ? a : b);
    }
    return newest.size() == due.size() ? due : List.copyOf(newest.values());
  }

  /**
   * A batch of fires as planned before its transaction; {@code broken}: jobs whose schedule failed
   * to compute a fire time (a value no API write would store), to be quarantined instead.
   */
  record Batch(
      List<ClaimedJob> due,
      List<JobStore.Advance> advances,
      List<JobStore.NewRun> runs,
      int misfired,
      List<ClaimedJob.BrokenJob> broken,
      List<JobStore.Misfire> misfires) {}

  /** Logs each job just marked broken, once (it is not claimed again until a write repairs it). */
  private void quarantine(List<ClaimedJob.BrokenJob> marked) {
    for (ClaimedJob.BrokenJob job : marked) {
      log.atError()
          .addKeyValue("tenant.id", job.tenantId())
          .addKeyValue("job.id", job.id())
          .log(
              "Job {} ({}) of tenant {} is BROKEN and will not fire until a PUT or PATCH replaces"
                  + " its definition: {}",
              job.id(),
              job.name(),
              job.tenantId(),
              job.reason());
    }
    metrics.jobsMarkedBroken(marked.size());
  }

  Batch plan(List<ClaimedJob> due) {
    Instant now = clock.now();
    List<JobStore.Advance> advances = new ArrayList<>(due.size());
    List<JobStore.NewRun> runs = new ArrayList<>(due.size());
    List<ClaimedJob.BrokenJob> broken = new ArrayList<>();
    List<JobStore.Misfire> misfires = new ArrayList<>();
    int misfired = 0;
    Instant keepHorizon = now.plus(settings.lookahead());
    // Admission counts the delivery queue when the batch is planned; the claim and fire loops may
    // plan at the same time, so the hold limit can be passed by up to one batch (it bounds memory,
    // not correctness: runs not admitted are recorded PENDING and claimed as room comes).
    DeliveryStage.Admission admission = delivery == null ? null : delivery.admission();
    for (ClaimedJob job : due) {
      FirePlan plan;
      try {
        plan = FirePlan.of(job, now, settings.misfireThreshold());
      } catch (RuntimeException e) {
        // Decoded, yet no fire time can be computed (an instant or interval out of range, written
        // by hand): this one job is quarantined, the batch fires.
        broken.add(job.broken("schedule: cannot compute the next fire time: " + e));
        continue;
      }
      // Keeping the job for its next fire spends that fire's budget now; a tenant out of budget
      // lets the job go back to the table, where claims leave it until the budget refills.
      boolean keep =
          plan.nextFireAt() != null
              && !plan.nextFireAt().isAfter(keepHorizon)
              && budget.trySpend(job.tenantId());
      advances.add(
          new JobStore.Advance(job, plan.nextFireAt(), plan.completed(), plan.runs().size(), keep));
      for (FirePlan.PlannedRun run : plan.runs()) {
        boolean here = admission != null && admission.admit(job.tenantId());
        runs.add(new JobStore.NewRun(job, run.scheduledFor(), run.trigger(), here));
      }
      if (plan.withoutRun() > 0) {
        misfires.add(
            new JobStore.Misfire(
                job.id(),
                job.misfire().name(),
                plan.missed().count(),
                plan.runs().size(),
                plan.missed().first(),
                plan.missed().last()));
      }
      if (plan.misfired() > 0) {
        misfired += plan.misfired();
        log.atInfo()
            .addKeyValue("tenant.id", job.tenantId())
            .addKeyValue("job.id", job.id())
            .log(
                "Job {} ({}) missed {} fire times; policy {} gave them up",
                job.id(),
                job.name(),
                plan.misfired(),
                job.misfire());
      }
    }
    return new Batch(due, advances, runs, misfired, broken, misfires);
  }

  /** After a batch's commit: metrics, kept jobs back to the timer, runs to this node's delivery. */
  private void fired(Batch batch, JobStore.FireResult result, long fireNanos, long leasedAtNanos) {
    List<ClaimedJob> due = batch.due();
    if (due.isEmpty()) {
      return;
    }
    Instant committed = clock.now();
    metrics.fireBatch(due.size(), fireNanos);
    metrics.fires("misfired", batch.misfired());
    List<RunQueue.OwnedRun> toDeliver = new ArrayList<>();
    Map<Long, ClaimedJob> byId = new HashMap<>();
    due.forEach(j -> byId.put(j.id(), j));
    for (NewRuns.Created run : result.runs()) {
      ClaimedJob job = byId.get(run.jobId());
      TraceContext fireTrace =
          run.status() == RunStatus.SKIPPED
              ? null
              : tracing.fire(
                  job.tenantId(),
                  job.id(),
                  run.id(),
                  run.scheduledFor(),
                  run.trigger().name(),
                  committed);
      switch (run.status()) {
        case SKIPPED -> metrics.fires("skipped", 1);
        case RUNNING ->
            toDeliver.add(
                new RunQueue.OwnedRun(
                    run.id(),
                    job.id(),
                    job.tenantId(),
                    job.name(),
                    run.scheduledFor(),
                    1,
                    job.definition().target(),
                    job.definition().retry(),
                    job.signingSecrets(),
                    job.countsFailures(),
                    fireTrace,
                    leasedAtNanos));
        default -> {}
      }
      if (run.status() != RunStatus.SKIPPED) {
        metrics.fires(run.trigger() == RunTrigger.CATCH_UP ? "caught_up" : "fired", 1);
        if (run.trigger() == RunTrigger.SCHEDULE) {
          metrics.fireLag(Duration.between(run.scheduledFor(), committed));
        }
      }
    }
    if (result.won().size() < due.size()) {
      log.debug("{} of {} fires lost their lease", due.size() - result.won().size(), due.size());
    }
    for (JobStore.Kept kept : result.kept()) {
      ClaimedJob job =
          byId.get(kept.jobId()).withNext(kept.nextFireAt(), kept.token(), kept.runsLeft());
      timer.add(new Timer(job, clock.localNanosAt(job.fireAt()), ticker));
    }
    if (!toDeliver.isEmpty()) {
      delivery.accept(toDeliver);
    }
    if (delivery != null && toDeliver.size() < result.runs().size()) {
      delivery.wake(); // some recorded PENDING: claim them as room comes
    }
  }

  /** A claimed job waiting for its instant, on the local monotonic clock. */
  private static final class Timer implements Delayed {
    final ClaimedJob job;
    final long dueNanos;
    final Ticker ticker;

    Timer(ClaimedJob job, long dueNanos, Ticker ticker) {
      this.job = job;
      this.dueNanos = dueNanos;
      this.ticker = ticker;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - ticker.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(dueNanos, ((Timer) other).dueNanos);
    }
  }
}
