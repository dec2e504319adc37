package dev.punctual.engine;

import dev.punctual.audit.AuditSettings;
import dev.punctual.config.EngineProperties;
import dev.punctual.config.PunctualProperties;
import dev.punctual.config.TracingSwitch;
import dev.punctual.config.Version;
import dev.punctual.db.PgNotifications;
import dev.punctual.definition.Channels;
import dev.punctual.definition.TargetKind;
import dev.punctual.delivery.AmqpDelivery;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.delivery.HttpDelivery;
import dev.punctual.delivery.NatsDelivery;
import dev.punctual.delivery.RedisDelivery;
import dev.punctual.delivery.SecretOpening;
import dev.punctual.delivery.TargetDeliverers;
import dev.punctual.job.BackfillSettings;
import dev.punctual.node.LiveNodes;
import dev.punctual.node.NodeSettings;
import dev.punctual.secret.SecretBox;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Clock;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The service's engine: one per node, started after the web server is up and stopped before the
 * database closes. The Jobs API wakes it through {@code NOTIFY} (which reaches every node, this one
 * included), so nothing outside this package imports it.
 */
@Configuration(proxyBeanMethods = false)
class EngineConfig {
  private static final int NOTIFICATION_CONNECTIONS = 16;

  /** Fails the start with every bad setting named. */
  @Bean
  EngineSettings engineSettings(PunctualProperties properties, EngineProperties engine) {
    return EngineSettings.from(properties.roleSet(), engine);
  }

  /** The audit log is kept as long as the runs it explains. */
  @Bean
  AuditSettings auditSettings(EngineSettings settings) {
    return new AuditSettings(settings.retention());
  }

  /** A node is dead for the nodes list by the rule the engine takes its work over by. */
  @Bean
  NodeSettings nodeSettings(EngineSettings settings) {
    return new NodeSettings(settings.deadNodeAfter());
  }

  /** Backfills are paced at the tenant's fire rate. */
  @Bean
  BackfillSettings backfillSettings(EngineSettings settings) {
    return new BackfillSettings(settings.tenantFireRate());
  }

  /** Closed after the engine stops (the engine depends on it). */
  @Bean(destroyMethod = "close")
  HttpDelivery httpDelivery(EngineSettings settings, EgressGuard guard) {
    return new HttpDelivery(settings.maxInFlight(), Version.current(), guard);
  }

  /**
   * Notification events on a client of their own (a few connections): a slow or dead endpoint never
   * takes a connection or an I/O turn from the deliveries of runs.
   */
  @Bean(destroyMethod = "close")
  HttpDelivery notificationDelivery(EgressGuard guard) {
    return new HttpDelivery(NOTIFICATION_CONNECTIONS, Version.current(), guard);
  }

  /** Broker targets (docs/targets.md): a client each, connected at the first publication. */
  @Bean(destroyMethod = "close")
  AmqpDelivery amqpDelivery(EgressGuard guard) {
    return new AmqpDelivery(guard);
  }

  @Bean(destroyMethod = "close")
  RedisDelivery redisDelivery(EgressGuard guard) {
    return new RedisDelivery(guard);
  }

  @Bean(destroyMethod = "close")
  NatsDelivery natsDelivery(EgressGuard guard) {
    return new NatsDelivery(guard);
  }

  /** On the engine's own pool ({@code DatabaseConfig.engineDataSource}), closed after it stops. */
  @Bean
  Engine engine(
      EngineSettings settings,
      @Qualifier("engineDataSource") DataSource dataSource,
      @Qualifier("httpDelivery") HttpDelivery http,
      @Qualifier("notificationDelivery") HttpDelivery notificationDelivery,
      AmqpDelivery amqp,
      RedisDelivery redis,
      NatsDelivery nats,
      MeterRegistry registry,
      PgNotifications notifications,
      ObjectProvider<Tracer> tracer,
      ObjectProvider<Propagator> propagator,
      Environment environment,
      SecretBox secrets,
      LiveNodes liveNodes,
      Clock clock) {
    // One deliverer per target kind; secrets opened right before a request is sent.
    SecretOpening opening =
        new SecretOpening(
            secrets,
            new TargetDeliverers(
                Map.of(
                    TargetKind.HTTP, http,
                    TargetKind.AMQP, amqp,
                    TargetKind.REDIS, redis,
                    TargetKind.NATS, nats)),
            notificationDelivery);
    // Spans only when an OTLP endpoint is set (TracingSwitch): none made for nobody.
    Tracer t = TracingSwitch.on(environment) ? tracer.getIfAvailable() : null;
    EngineTracing tracing =
        t == null
            ? EngineTracing.NONE
            : new EngineTracing(t, propagator.getIfAvailable(() -> Propagator.NOOP));
    Engine engine =
        Engine.builder(Engine.newNodeId(), settings, dataSource, opening)
            .notifications(opening)
            .registry(registry)
            .tracing(tracing)
            .liveNodes(liveNodes)
            .clock(clock)
            .build();
    notifications.subscribe(Channels.JOBS, payload -> engine.wakeScheduler());
    notifications.subscribe(Channels.RUNS, payload -> engine.wakeWorker());
    return engine;
  }

  /** Shared by the engine (which counts the live nodes) and the API's per-tenant rate limit. */
  @Bean
  LiveNodes liveNodes() {
    return new LiveNodes();
  }

  /**
   * Starts the engine once the delivery warm-up started by {@link WarmUpOnStart} has ended (none
   * when the context was not built by a {@code SpringApplication} that applied it) and the fire
   * warm-up ({@link FireWarmUp}) has run.
   */
  @Bean
  SmartLifecycle engineLifecycle(
      Engine engine,
      EngineSettings settings,
      @Qualifier("engineDataSource") DataSource dataSource,
      ObjectProvider<WarmUpOnStart.Running> warmUp) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
        warmUp.ifAvailable(WarmUpOnStart.Running::await);
        // After the migrations (done by now), before the first real fire: the engine's own path.
        FireWarmUp.atStart(dataSource, settings);
        engine.start();
        running = true;
      }

      @Override
      public void stop() {
        engine.stop();
        running = false;
      }

      @Override
      public boolean isRunning() {
        return running;
      }

      // After the web server (its graceful shutdown runs first) and before the pool closes.
      @Override
      public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
      }
    };
  }
}
