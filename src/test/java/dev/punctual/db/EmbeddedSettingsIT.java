package dev.punctual.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punctual.support.Node;
import java.nio.file.Files;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@code PUNCTUAL_EMBEDDED_SETTINGS} reaches the running embedded server (read back with {@code
 * SHOW}), after Punctual's own settings so that the operator's value wins, and a malformed entry
 * stops the start with a message naming it.
 */
class EmbeddedSettingsIT {

  @Test
  void theOperatorsSettingsReachTheServerAndWin() throws Exception {
    try (Node node =
        Node.start(
            settings(
                "work_mem = 8MB; shared_buffers=64MB;"
                    + " shared_preload_libraries=pg_stat_statements,auto_explain"))) {
      JdbcClient db = JdbcClient.create(node.bean(DataSource.class));
      assertThat(show(db, "work_mem")).isEqualTo("8MB");
      assertThat(show(db, "shared_buffers")).isEqualTo("64MB"); // Punctual's own is 256MB
      assertThat(show(db, "shared_preload_libraries")).isEqualTo("pg_stat_statements,auto_explain");
      // The library is loaded: its view answers once the extension exists.
      db.sql("create extension if not exists pg_stat_statements").update();
      assertThat(db.sql("select count(*) from pg_stat_statements").query(Long.class).single())
          .isPositive();
      // The durable settings not overridden stay.
      assertThat(show(db, "fsync")).isEqualTo("on");
      assertThat(show(db, "synchronous_commit")).isEqualTo("on");
    }
  }

  @Test
  void aMalformedEntryStopsTheStartNamingIt() {
    assertThatThrownBy(() -> Node.start(settings("work_mem=8MB; nonsense")))
        .hasStackTraceContaining("PUNCTUAL_EMBEDDED_SETTINGS: 'nonsense' is not name=value");
  }

  private static Map<String, String> settings(String embedded) throws Exception {
    return Map.of(
        "punctual.database-url",
        "",
        "punctual.admin-key",
        "embedded-settings-admin",
        "punctual.data-dir",
        Files.createTempDirectory("punctual-embedded-settings").toString(),
        "punctual.embedded-settings",
        embedded);
  }

  private static String show(JdbcClient db, String setting) {
    return db.sql("show " + setting).query(String.class).single();
  }
}
