package dev.punctual.engine;

import dev.punctual.config.ClockConfig;
import dev.punctual.definition.DefinitionCodec;
import dev.punctual.delivery.Deliverer;
import dev.punctual.delivery.NotificationPoster;
import dev.punctual.node.LiveNodes;
import dev.punctual.node.NodeStore;
import dev.punctual.queue.RunQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One node's engine: heartbeat, trigger stage, delivery stage and run retention, over one database.
 * A plain object, so tests can run several against one database; the service wires one in {@link
 * EngineConfig}.
 */
public final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final Duration RETENTION_FIRST_DELAY = Duration.ofSeconds(5);
  private static final Duration RETENTION_INTERVAL = Duration.ofMinutes(1);
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);
  private static final Duration NOTIFICATION_POLL = Duration.ofMillis(500);

  private final String nodeId;
  private final EngineSettings settings;
  private final NodeStore nodes;
  private final RunQueue runs;
  private final DatabaseClock clock;
  private final Ticker ticker;
  private final LiveNodes liveNodes;
  private final EngineThreads threads;
  private final JobStore jobs;
  private final EngineMetrics metrics;
  private final TriggerStage trigger;
  private final DeliveryStage delivery;
  private final EventStore events;
  private final Heartbeat heartbeat;
  private final Retention retention;
  private final NotificationStage notifier; // null when this node does not deliver
  private volatile boolean running;
  private volatile boolean stopping;

  /**
   * An engine's builder: what it cannot run without is named here, everything else has a default in
   * {@link Builder}.
   */
  public static Builder builder(
      String nodeId, EngineSettings settings, DataSource dataSource, Deliverer deliverer) {
    return new Builder(nodeId, settings, dataSource, deliverer);
  }

  /** Every setting of an engine, with its default, in one place. */
  public static final class Builder {
    private final String nodeId;
    private final EngineSettings settings;
    private final DataSource dataSource;
    private final Deliverer deliverer;
    private NotificationPoster notifications;
    private MeterRegistry registry = new SimpleMeterRegistry();
    private Clock clock = ClockConfig.SYSTEM;
    private Ticker ticker;
    private EngineTracing tracing = EngineTracing.NONE;
    private LiveNodes liveNodes = new LiveNodes();

    private Builder(
        String nodeId, EngineSettings settings, DataSource dataSource, Deliverer deliverer) {
      this.nodeId = nodeId;
      this.settings = settings;
      this.dataSource = dataSource;
      this.deliverer = deliverer;
    }

    /** Sends notification events; default none (events wait for a node that sends them). */
    public Builder notifications(NotificationPoster poster) {
      this.notifications = poster;
      return this;
    }

    /** Where the engine's metrics go; default a registry of its own that nobody reads. */
    public Builder registry(MeterRegistry registry) {
      this.registry = registry;
      return this;
    }

    /** The service's clock (the wall clock the database clock corrects); default the system's. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Spans of fires and attempts; default none. */
    public Builder tracing(EngineTracing tracing) {
      this.tracing = tracing;
      return this;
    }

    /** The live-node counts the engine's heartbeat updates; default counts of its own. */
    public Builder liveNodes(LiveNodes liveNodes) {
      this.liveNodes = liveNodes;
      return this;
    }

    /** A fake time source for unit tests; default the real one on {@link #clock}. */
    Builder ticker(Ticker ticker) {
      this.ticker = ticker;
      return this;
    }

    public Engine build() {
      return new Engine(this, ticker != null ? ticker : Ticker.of(clock));
    }
  }

  private Engine(Builder b, Ticker ticker) {
    this.nodeId = b.nodeId;
    this.settings = b.settings;
    this.liveNodes = b.liveNodes;
    this.ticker = ticker;
    this.threads = new EngineThreads(nodeId);
    DefinitionCodec.warmUp(); // not on the first claim's time
    this.clock = new DatabaseClock(ticker);
    this.metrics = new EngineMetrics(b.registry);
    JdbcClient jdbc = JdbcClient.create(b.dataSource);
    this.nodes = new NodeStore(jdbc);
    this.runs = new RunQueue(jdbc, settings.attemptMargin());
    this.jobs = new JobStore(jdbc, settings.attemptMargin());
    this.events = new EventStore(jdbc);
    NodeContext node =
        new NodeContext(nodeId, settings, metrics, threads, ticker, clock, b.tracing);
    this.heartbeat = new Heartbeat(node, nodes, jobs, runs, liveNodes);
    this.retention = new Retention(node, runs, events, nodes, () -> stopping);
    TransactionTemplate transactions =
        new TransactionTemplate(new DataSourceTransactionManager(b.dataSource));
    this.delivery =
        settings.delivers()
            ? new DeliveryStage(
                node, runs, new OutcomeWriter(nodeId, runs, jobs, transactions), b.deliverer)
            : null;
    this.notifier =
        settings.delivers() && b.notifications != null
            ? new NotificationStage(node, events, b.notifications, NOTIFICATION_POLL)
            : null;
    this.trigger =
        settings.schedules()
            ? new TriggerStage(node, jobs, transactions, delivery, liveNodes)
            : null;
  }

  /** A node id that tells an operator where it runs: host, pid and a random suffix. */
  public static String newNodeId() {
    String jvm = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    return jvm + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String nodeId() {
    return nodeId;
  }

  public void start() {
    running = true;
    try {
      // Before the first claim: the node's reading of the database clock is corrected, its
      // attempts are signed with the database's time from the first one.
      heartbeat.beat();
    } catch (RuntimeException e) {
      log.warn("First heartbeat failed (the heartbeat loop tries again): {}", e.toString());
    }
    threads.start(
        "heartbeat", new Loop("heartbeat", this::heartbeatTurn, () -> running, metrics, ticker));
    threads.start(
        "retention", new Loop("retention", this::retentionTurn, () -> running, metrics, ticker));
    if (delivery != null) {
      delivery.start();
    }
    if (notifier != null) {
      notifier.start();
    }
    if (trigger != null) {
      trigger.start();
    }
    log.info("Engine {} started with roles {}", nodeId, settings.roles());
  }

  /**
   * Graceful stop (docs/engine.md): stop claiming, hand back claimed jobs, wait for deliveries in
   * progress up to the grace period, hand back the rest, leave the cluster.
   */
  public void stop() {
    if (!running) {
      return;
    }
    stopping = true;
    if (trigger != null) {
      trigger.stop();
    }
    if (delivery != null) {
      delivery.stop(settings.shutdownGrace());
    }
    if (notifier != null) {
      notifier.stop(Duration.ofSeconds(2));
    }
    running = false;
    // Every loop ends before the node leaves: a heartbeat after the removal would bring it back.
    threads.shutdown(STOP_WAIT);
    try {
      nodes.remove(nodeId);
    } catch (RuntimeException e) {
      log.warn("Could not remove node {}: {}", nodeId, e.toString());
    }
    log.info("Engine {} stopped", nodeId);
  }

  /** Stops everything at once without a word to the database, like {@code kill -9} (tests). */
  public void kill() {
    stopping = true;
    running = false;
    if (trigger != null) {
      trigger.kill();
    }
    if (delivery != null) {
      delivery.kill();
    }
    if (notifier != null) {
      notifier.kill();
    }
    threads.kill();
  }

  /** Something is due soon (a job written with a near fire time): claim now. */
  public void wakeScheduler() {
    if (trigger != null) {
      trigger.wake();
    }
  }

  /** A run is waiting (a manual trigger): claim now. */
  public void wakeWorker() {
    if (delivery != null) {
      delivery.wake();
    }
  }

  private void heartbeatTurn() throws InterruptedException {
    heartbeat.beat();
    ticker.sleep(settings.heartbeatInterval().toMillis());
  }

  /** Once a minute, the first time a few seconds after the start. */
  private void retentionTurn() throws InterruptedException {
    ticker.sleep(RETENTION_FIRST_DELAY.toMillis());
    while (running) {
      retention.purge();
      ticker.sleep(RETENTION_INTERVAL.toMillis());
    }
  }

  /** Deletes finished runs past the retention age now; returns how many (tests). */
  int purgeExpiredRuns() throws InterruptedException {
    return retention.purgeRuns();
  }
}
