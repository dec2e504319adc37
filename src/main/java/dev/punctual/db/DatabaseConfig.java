package dev.punctual.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.config.PunctualProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * One PostgreSQL, embedded or a server, behind one HikariCP pool. Boot's own DataSource
 * auto-configuration steps aside because a DataSource bean exists.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

  @Bean(destroyMethod = "close")
  @Conditional(NoDatabaseUrl.class)
  EmbeddedDatabase embeddedDatabase(PunctualProperties properties) {
    return EmbeddedDatabase.start(properties.dataDir());
  }

  @Bean
  DatabaseUrl databaseUrl(
      PunctualProperties properties, ObjectProvider<EmbeddedDatabase> embedded) {
    EmbeddedDatabase database = embedded.getIfAvailable();
    return database != null
        ? new DatabaseUrl(database.jdbcUrl(), null, null)
        : DatabaseUrl.parse(properties.databaseUrl());
  }

  /**
   * Settings of every session of the pool.
   *
   * <ul>
   *   <li>{@code idle_in_transaction_session_timeout}: every transaction of ours lasts
   *       milliseconds. A node frozen in the middle of one (a long GC pause, SIGSTOP, a VM
   *       migration) would keep its row locks, and SKIP LOCKED claims would pass those jobs by
   *       until it wakes: the server ends such a session after 5 s instead.
   *   <li>{@code plan_cache_mode=force_custom_plan}: pgjdbc prepares our statements on the server,
   *       and after five runs PostgreSQL may keep one generic plan for the connection's lifetime. A
   *       plan made while {@code runs} was nearly empty (a fresh install, a new bench) joined it by
   *       a sequential scan per outcome: writing 500 outcomes took seconds once the table held
   *       20,000 rows, leases ran out and runs were delivered again. Planning each execution costs
   *       a fraction of a millisecond and always sees the table as it is.
   * </ul>
   */
  public static final String SESSION_OPTIONS =
      "-c idle_in_transaction_session_timeout=5000 -c plan_cache_mode=force_custom_plan";

  /** Depends on the embedded database (when there is one), so it closes before that stops. */
  @Bean(destroyMethod = "close")
  HikariDataSource dataSource(PunctualProperties properties, DatabaseUrl url) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("punctual");
    config.setJdbcUrl(url.jdbcUrl());
    config.setUsername(url.username());
    config.setPassword(url.password());
    config.setMaximumPoolSize(properties.poolSize());
    // A request waits this long for a connection, then answers 503 (database unreachable).
    config.setConnectionTimeout(properties.poolTimeout().toMillis());
    config.addDataSourceProperty("ApplicationName", "punctual");
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    config.addDataSourceProperty("options", SESSION_OPTIONS);
    return new HikariDataSource(config);
  }

  /** The embedded database starts only when {@code DATABASE_URL} is unset or blank. */
  static class NoDatabaseUrl implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String url = context.getEnvironment().getProperty("punctual.database-url", "");
      return url.isBlank();
    }
  }
}
