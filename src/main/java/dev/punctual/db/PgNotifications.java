package dev.punctual.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL {@code LISTEN/NOTIFY} for the whole node: one dedicated connection (outside the pool,
 * which it would otherwise hold forever) and one thread that hands each notification to the
 * channel's subscribers.
 *
 * <p>Notifications sent while the connection was down are lost, so subscribers that cache must also
 * register {@link #onReconnect} and drop their caches, and may ask {@link #isListening()} before
 * trusting one.
 */
@Component
public class PgNotifications implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);
  private static final int POLL_MILLIS = 500;
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private final DatabaseUrl url;
  private final JdbcClient jdbc;
  private final Map<String, List<Consumer<String>>> subscribers = new ConcurrentHashMap<>();
  private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
  private volatile boolean running;
  private volatile boolean listening;
  private Thread thread;

  PgNotifications(DatabaseUrl url, JdbcClient jdbc) {
    this.url = url;
    this.jdbc = jdbc;
  }

  /** Calls {@code subscriber} with the payload of every notification on {@code channel}. */
  public void subscribe(String channel, Consumer<String> subscriber) {
    if (!channel.matches("[a-z_]+")) {
      throw new IllegalArgumentException("channel names are lower-case identifiers: " + channel);
    }
    subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(subscriber);
  }

  /** Runs {@code listener} each time the connection is (re)established. */
  public void onReconnect(Runnable listener) {
    reconnectListeners.add(listener);
  }

  /** Whether notifications are being received right now. */
  public boolean isListening() {
    return listening;
  }

  /**
   * Sends a notification; inside a transaction it goes out at commit (and not on rollback), and it
   * reaches this node too.
   */
  public void notify(String channel, String payload) {
    jdbc.sql("select pg_notify(:channel, :payload)")
        .param("channel", channel)
        .param("payload", payload)
        .query()
        .singleValue();
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::run, "pg-notifications");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits for the listener to end, so it does not outlive the database at shutdown. */
  @Override
  public void stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(POLL_MILLIS * 4L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void run() {
    long backoff = 100;
    while (running) {
      try (Connection connection = connect()) {
        try (Statement statement = connection.createStatement()) {
          for (String channel : subscribers.keySet()) {
            statement.execute("listen " + channel); // channel names are checked identifiers
          }
        }
        listening = true;
        backoff = 100;
        reconnectListeners.forEach(PgNotifications::safely);
        PGConnection pg = connection.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
          if (notifications != null) {
            for (PGNotification n : notifications) {
              dispatch(n.getName(), n.getParameter());
            }
          }
          if (!connection.isValid(1)) {
            throw new SQLException("the notification connection is no longer valid");
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (listening && running) {
          log.warn("Lost the notification connection: {}", e.getMessage());
        }
        listening = false;
        if (!running) {
          return;
        }
        sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
    }
    listening = false;
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (url.username() != null) {
      properties.setProperty("user", url.username());
    }
    if (url.password() != null) {
      properties.setProperty("password", url.password());
    }
    properties.setProperty("ApplicationName", "punctual-listen");
    properties.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(url.jdbcUrl(), properties);
  }

  private void dispatch(String channel, String payload) {
    for (Consumer<String> subscriber : subscribers.getOrDefault(channel, List.of())) {
      safely(() -> subscriber.accept(payload));
    }
  }

  private static void safely(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.error("A notification subscriber failed", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
