package dev.punctual.audit;

import dev.punctual.config.BackgroundTask;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Deletes audit entries older than the runs' retention ({@code PUNCTUAL_ENGINE_RETENTION}), once a
 * minute, in small batches: the audit log is kept as long as the runs it explains.
 */
@Component
class AuditRetention extends BackgroundTask {
  private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
  private static final int BATCH = 1000;
  private static final Duration INTERVAL = Duration.ofMinutes(1);

  private final JdbcClient jdbc;
  private final Duration retention;

  AuditRetention(JdbcClient jdbc, AuditSettings settings) {
    super("punctual-audit-retention", INTERVAL, INTERVAL);
    this.jdbc = jdbc;
    this.retention = settings.retention();
  }

  /** Deletes up to {@link #BATCH} entries past the retention; returns how many. */
  int purgeBatch() {
    return jdbc.sql(
            """
            delete from audit_log where id in (
                select id from audit_log
                where at < now() - make_interval(secs => :age)
                order by id
                limit :batch)
            """)
        .param("age", (double) retention.toSeconds())
        .param("batch", BATCH)
        .update();
  }

  @Override
  protected void runOnce() {
    try {
      int deleted;
      do {
        deleted = purgeBatch();
      } while (deleted == BATCH && running());
    } catch (RuntimeException e) {
      // The database may be away; the next minute tries again.
      log.debug("Audit retention: {}", e.toString());
    }
  }
}
