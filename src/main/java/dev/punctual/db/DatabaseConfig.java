package dev.punctual.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.config.EngineProperties;
import dev.punctual.config.PunctualProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * One PostgreSQL, embedded or a server, behind two HikariCP pools: the API's ({@code @Primary}:
 * what Boot's JDBC, transaction and Flyway auto-configuration use) and the engine's. Boot's own
 * DataSource auto-configuration steps aside because DataSource beans exist.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfig {

  @Bean(destroyMethod = "close")
  @Conditional(NoDatabaseUrl.class)
  EmbeddedDatabase embeddedDatabase(PunctualProperties properties) {
    return EmbeddedDatabase.start(properties.dataDir(), properties.embeddedSettings());
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
   * Settings of every session, in both pools: {@code idle_in_transaction_session_timeout}. Every
   * transaction of ours lasts milliseconds. A node frozen in the middle of one (a long GC pause,
   * SIGSTOP, a VM migration) would keep its row locks, and SKIP LOCKED claims would pass those jobs
   * by until it wakes: the server ends such a session after 5 s instead.
   */
  public static final String SESSION_OPTIONS = "-c idle_in_transaction_session_timeout=5000";

  /**
   * The engine's sessions also plan every execution ({@code plan_cache_mode=force_custom_plan}).
   * pgjdbc prepares our statements on the server, and after five runs PostgreSQL may keep one
   * generic plan for the connection's lifetime: one made while {@code runs} was nearly empty stays
   * wrong once it is large (leases ran out while outcomes were written). The engine's batches have
   * a best plan that depends on the tables' sizes, and planning costs little per batch. The API's
   * single-row lookups and pages have generic plans that are right at any size, and planning each
   * request would cost much of its database time, so the API's pool keeps PostgreSQL's default
   * (docs/operations.md).
   */
  public static final String ENGINE_SESSION_OPTIONS =
      SESSION_OPTIONS + " -c plan_cache_mode=force_custom_plan";

  /**
   * The API's pool (and everything else's: migrations, health). Depends on the embedded database
   * (when there is one), so it closes before that stops.
   */
  @Bean(destroyMethod = "close")
  @Primary
  HikariDataSource dataSource(PunctualProperties properties, DatabaseUrl url) {
    // The job quota, read by the commit-time count of new jobs (V9): only this pool creates jobs.
    String options =
        SESSION_OPTIONS + " -c punctual.max_jobs_per_tenant=" + properties.maxJobsPerTenant();
    return pool("punctual", properties.poolSize(), options, url, properties);
  }

  /** The engine's pool, apart so that its sessions can plan every statement (see above). */
  @Bean(destroyMethod = "close")
  public HikariDataSource engineDataSource(
      PunctualProperties properties, EngineProperties engine, DatabaseUrl url) {
    return pool(
        "punctual-engine", engine.poolSizeOrDefault(), ENGINE_SESSION_OPTIONS, url, properties);
  }

  private static HikariDataSource pool(
      String name, int size, String options, DatabaseUrl url, PunctualProperties properties) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url.jdbcUrl());
    config.setUsername(url.username());
    config.setPassword(url.password());
    config.setMaximumPoolSize(size);
    // A request waits this long for a connection, then answers 503 (database unreachable).
    config.setConnectionTimeout(properties.poolTimeout().toMillis());
    config.addDataSourceProperty("ApplicationName", name);
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    config.addDataSourceProperty("options", options);
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
