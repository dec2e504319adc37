package dev.punctual.delivery;

import dev.punctual.config.PunctualProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The delivery package's own beans. */
@Configuration(proxyBeanMethods = false)
class DeliveryConfig {

  /**
   * One guard for every delivery, and for the Jobs API, which refuses a denied literal address when
   * a job is written.
   */
  @Bean
  EgressGuard egressGuard(PunctualProperties properties) {
    return EgressGuard.of(properties.egressAllow(), properties.egressDeny());
  }
}
