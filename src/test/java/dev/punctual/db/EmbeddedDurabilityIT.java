package dev.punctual.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.punctual.config.PunctualProperties;
import dev.punctual.support.ApiTestBase;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The embedded database is as durable as a server: read from the running server, not from our own
 * configuration (zonky starts it with fsync off and asynchronous commits unless overridden).
 */
class EmbeddedDurabilityIT extends ApiTestBase {
  @Autowired PunctualProperties properties;
  @Autowired DataSource dataSource;

  private String show(String setting) {
    return JdbcClient.create(dataSource).sql("show " + setting).query(String.class).single();
  }

  @Test
  void theEmbeddedServerRunsWithDurableSettings() {
    assumeTrue(properties.usesEmbeddedDatabase(), "a DATABASE_URL server is the operator's");
    assertThat(show("fsync")).isEqualTo("on");
    assertThat(show("synchronous_commit")).isEqualTo("on");
    assertThat(show("full_page_writes")).isEqualTo("on");
  }

  /** Every setting the service chooses reaches the server (a setting zonky dropped would not). */
  @Test
  void everySettingTheServiceChoosesIsInForce() {
    assumeTrue(properties.usesEmbeddedDatabase(), "a DATABASE_URL server is the operator's");
    EmbeddedServerSettings.durable()
        .forEach((name, value) -> assertThat(show(name)).as(name).isEqualTo(value));
  }
}
