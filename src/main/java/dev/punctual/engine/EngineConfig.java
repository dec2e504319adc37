package dev.punctual.engine;

import dev.punctual.config.PunctualProperties;
import dev.punctual.config.Version;
import dev.punctual.db.PgNotifications;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.delivery.HttpDelivery;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The service's engine: one per node, started after the web server is up and stopped before the
 * database closes. The Jobs API wakes it through {@code NOTIFY} (which reaches every node, this one
 * included), so nothing outside this package imports it.
 */
@Configuration(proxyBeanMethods = false)
class EngineConfig {
  static final String JOBS_CHANNEL = "punctual_jobs";
  static final String RUNS_CHANNEL = "punctual_runs";

  @Bean
  EngineSettings engineSettings(PunctualProperties properties) {
    return EngineSettings.builder()
        .roles(properties.roleSet())
        .tenantFireRate(properties.tenantFireRate())
        .tenantMaxInFlight(properties.tenantMaxInFlight())
        .build();
  }

  /** Closed after the engine stops (the engine depends on it). */
  @Bean(destroyMethod = "close")
  HttpDelivery httpDelivery(EngineSettings settings, EgressGuard guard) {
    return new HttpDelivery(settings.maxInFlight(), Version.current(), guard);
  }

  /** Also used by the Jobs API, which refuses denied literal addresses when a job is written. */
  @Bean
  EgressGuard egressGuard(PunctualProperties properties) {
    return EgressGuard.of(properties.egressAllow(), properties.egressDeny());
  }

  /** On the engine's own pool ({@code DatabaseConfig.engineDataSource}), closed after it stops. */
  @Bean
  Engine engine(
      EngineSettings settings,
      @Qualifier("engineDataSource") DataSource dataSource,
      HttpDelivery http,
      MeterRegistry registry,
      PgNotifications notifications) {
    Engine engine = new Engine(Engine.newNodeId(), settings, dataSource, http, registry);
    notifications.subscribe(JOBS_CHANNEL, payload -> engine.wakeScheduler());
    notifications.subscribe(RUNS_CHANNEL, payload -> engine.wakeWorker());
    return engine;
  }

  @Bean
  SmartLifecycle engineLifecycle(Engine engine) {
    return new SmartLifecycle() {
      private volatile boolean running;

      @Override
      public void start() {
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
