package dev.punctual.engine;

import dev.punctual.delivery.Deliverer;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * One node's engine: heartbeat, trigger stage, delivery stage and run retention, over one database.
 * A plain object, so tests can run several against one database; the service wires one in {@link
 * EngineConfig}.
 */
public final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  private static final Duration RETENTION_FIRST_DELAY = Duration.ofSeconds(5);
  private static final Duration RETENTION_INTERVAL = Duration.ofMinutes(1);
  private static final int RETENTION_BATCH = 1000;

  private final String nodeId;
  private final EngineSettings settings;
  private final NodeStore nodes;
  private final RunStore runs;
  private final DatabaseClock clock = new DatabaseClock();
  private final EngineMetrics metrics;
  private final TriggerStage trigger;
  private final DeliveryStage delivery;
  private volatile boolean running;
  private volatile boolean stopping;

  public Engine(
      String nodeId,
      EngineSettings settings,
      DataSource dataSource,
      Deliverer http,
      MeterRegistry registry) {
    this.nodeId = nodeId;
    this.settings = settings;
    JdbcClient jdbc = JdbcClient.create(dataSource);
    TransactionTemplate transactions =
        new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    JobDefinitions definitions = new JobDefinitions(JsonMapper.builder().build());
    this.nodes = new NodeStore(jdbc);
    this.runs = new RunStore(jdbc, definitions);
    DeliveryStage[] holder = new DeliveryStage[1];
    this.metrics = new EngineMetrics(registry, () -> holder[0] == null ? 0 : holder[0].inFlight());
    this.delivery =
        settings.delivers() ? new DeliveryStage(nodeId, settings, runs, http, metrics) : null;
    holder[0] = delivery;
    this.trigger =
        settings.schedules()
            ? new TriggerStage(
                nodeId,
                settings,
                new JobStore(jdbc, definitions),
                transactions,
                clock,
                metrics,
                delivery)
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
    new Loop("heartbeat", this::heartbeatTurn, () -> running, metrics).start("punctual-heartbeat");
    new Loop("retention", this::retentionTurn, () -> running, metrics).start("punctual-retention");
    if (delivery != null) {
      delivery.start();
    }
    if (trigger != null) {
      trigger.start();
    }
    log.info("Engine {} started with roles {}", nodeId, settings.roles());
  }

  /**
   * Graceful stop (DESIGN.md): stop claiming, hand back claimed jobs, wait for deliveries in
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
    running = false;
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
    long sent = System.nanoTime();
    clock.observe(nodes.heartbeat(nodeId, String.join(",", new TreeSet<>(settings.roles()))), sent);
    metrics.liveNodes(nodes.liveNodes(settings.deadNodeAfter()));
    Thread.sleep(settings.heartbeatInterval().toMillis());
  }

  /** Once a minute (the first time a few seconds after start): delete expired run history. */
  private void retentionTurn() throws InterruptedException {
    Thread.sleep(RETENTION_FIRST_DELAY.toMillis());
    while (running) {
      purgeExpiredRuns();
      nodes.forgetLongDead();
      Thread.sleep(RETENTION_INTERVAL.toMillis());
    }
  }

  /** Deletes finished runs past the retention age; returns how many. */
  int purgeExpiredRuns() throws InterruptedException {
    int total = 0;
    int deleted;
    do {
      // Small batches with a pause between them keep the hot path's locks and I/O free.
      deleted = runs.deleteFinishedBefore(settings.retention(), RETENTION_BATCH);
      metrics.runsDeleted(deleted);
      total += deleted;
      Thread.sleep(20);
    } while (deleted == RETENTION_BATCH && !stopping);
    return total;
  }
}
