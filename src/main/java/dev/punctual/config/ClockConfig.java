package dev.punctual.config;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** One clock for the whole service, so tests can replace it. */
@Configuration(proxyBeanMethods = false)
class ClockConfig {
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
