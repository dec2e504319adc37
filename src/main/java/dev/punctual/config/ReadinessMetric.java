package dev.punctual.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code punctual_ready}: 1 when the node's readiness group ({@code /actuator/health/readiness}:
 * accepting traffic and its database answering) is UP, else 0, read at each scrape. A node that is
 * up but not ready is invisible to {@code up}; the alert {@code PunctualNodeNotReady} needs this.
 */
@Configuration(proxyBeanMethods = false)
class ReadinessMetric {
  @Bean
  MeterBinder readinessGauge(HealthEndpoint health) {
    return (MeterRegistry registry) ->
        Gauge.builder("punctual.ready", health, ReadinessMetric::ready)
            .description("1 when the node is ready to serve (readiness group UP), else 0")
            .register(registry);
  }

  private static double ready(HealthEndpoint health) {
    try {
      HealthDescriptor readiness = health.healthForPath("readiness");
      return readiness != null && Status.UP.equals(readiness.getStatus()) ? 1 : 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
