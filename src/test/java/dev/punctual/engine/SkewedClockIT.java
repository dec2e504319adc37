package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.support.TargetServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A node whose clock is ten minutes fast (its {@code Clock} moved, as a test of the one clock can)
 * still signs and records with the database's time: the engine reads the service's clock through
 * the database clock, which its heartbeat corrects. A Standard Webhooks receiver rejects a
 * timestamp more than five minutes off.
 */
@Tag("own-database")
class SkewedClockIT {

  @Test
  void aFastNodeSignsAndRecordsWithTheDatabasesTime() throws Exception {
    try (EngineHarness h = new EngineHarness();
        TargetServer target = new TargetServer();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 10)) {
      h.sql
          .sql("insert into signing_secrets (tenant_id, secret) values (:tenant, :secret)")
          .param("tenant", h.tenantId())
          .param("secret", "whsec_" + "c2tld2VkLWNsb2NrLXRlc3Qtc2VjcmV0LTMyYnl0ZXM=")
          .update();
      Instant first = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      h.insertEverySecond("skewed", first, target.url("/ok"));
      Engine engine =
          Engine.builder("fast-node", EngineHarness.settings(), pool, EngineHarness.http())
              .registry(new SimpleMeterRegistry())
              .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)))
              .build();
      engine.start();
      try {
        await("two signed deliveries")
            .atMost(Duration.ofSeconds(20))
            .until(() -> target.deliveries().size() >= 2);
      } finally {
        engine.stop();
      }
      Instant databaseNow = h.sql.sql("select now()").query(Instant.class).single();
      for (TargetServer.Delivery d : target.deliveries()) {
        Instant signedAt = Instant.ofEpochSecond(Long.parseLong(d.header("webhook-timestamp")));
        assertThat(Duration.between(signedAt, databaseNow).abs())
            .as("webhook-timestamp of run %s", d.runId())
            .isLessThan(Duration.ofMinutes(1));
      }
      Duration furthest =
          h.sql
              .sql(
                  """
                  select max(abs(extract(epoch from attempt_started_at - scheduled_for)))
                  from runs where attempt_started_at is not null
                  """)
              .query((rs, row) -> Duration.ofMillis((long) (rs.getDouble(1) * 1000)))
              .single();
      assertThat(furthest).as("an attempt's recorded start").isLessThan(Duration.ofMinutes(1));
    }
  }
}
