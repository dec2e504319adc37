package dev.punctual.config;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The service's one clock: every instant it writes or signs comes from this bean (or, in code that
 * is not a bean, from {@link #SYSTEM}, which the bean is), so a test can move time for all of them.
 * {@code ArchitectureTest} fails on a read of the system clock anywhere else. Due times and leases
 * are the database's clock, as the database decides them.
 */
@Configuration(proxyBeanMethods = false)
public class ClockConfig {
  /** The system clock, in UTC. */
  public static final Clock SYSTEM = Clock.systemUTC();

  @Bean
  Clock clock() {
    return SYSTEM;
  }
}
