package dev.punctual.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL server every system runs on, the same one for all of them: {@code
 * BENCH_DATABASE_URL} (a JDBC URL), by default the loopback server's {@code punctual_bench}
 * database, created when missing. Each run starts from an empty schema.
 */
final class BenchDb {
  final String url;

  BenchDb(String url) {
    this.url = url;
  }

  static BenchDb fromEnvironment() throws SQLException {
    String url =
        System.getenv()
            .getOrDefault("BENCH_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/punctual_bench");
    String server = url.substring(0, url.lastIndexOf('/')) + "/postgres";
    String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
    try (Connection c = DriverManager.getConnection(server, "postgres", "");
        ResultSet rs =
            c.createStatement()
                .executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
      if (!rs.next()) {
        c.createStatement().execute("create database " + name);
      }
    }
    return new BenchDb(url);
  }

  /**
   * A connection for setup and counting; its statements stop after 2 minutes, so that a seeding
   * left behind by a killed coordinator does not go on loading the server.
   */
  Connection connect() throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", "");
    p.setProperty("options", "-c statement_timeout=120000");
    return DriverManager.getConnection(url, p);
  }

  HikariDataSource pool(String name, int size) {
    return pool(name, size, null);
  }

  /** A pool whose sessions start with {@code options} (e.g. Punctual's own session settings). */
  HikariDataSource pool(String name, int size, String options) {
    HikariConfig config = new HikariConfig();
    if (options != null) {
      config.addDataSourceProperty("options", options);
    }
    config.setPoolName(name);
    config.setJdbcUrl(url);
    config.setUsername("postgres");
    config.setMaximumPoolSize(size);
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    return new HikariDataSource(config);
  }

  void execute(String sql) throws SQLException {
    try (Connection c = connect();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  long count(String sql) throws SQLException {
    try (Connection c = connect();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  void resetSchema() throws SQLException {
    execute("drop schema if exists public cascade; create schema public");
    execute("vacuum");
  }
}
