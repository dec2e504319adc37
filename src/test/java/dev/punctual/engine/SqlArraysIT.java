package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.db.SqlArrays;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every element the engine's batched statements carry comes out of {@code unnest} as it went in,
 * nulls and the characters the text form of an array quotes included. (The arrays travel in the
 * binary format since they are typed Java arrays; in the text form, a string {@code NULL} or a
 * comma is where an encoding slip would show.)
 */
// Runs on an embedded PostgreSQL of its own (EngineHarness) whatever DATABASE_URL says: .ci/run's
// server pass skips it (excludedGroups), as it would run the same thing twice.
@Tag("own-database")
class SqlArraysIT {

  @Test
  void everyElementComesOutOfUnnestAsItWentIn() throws Exception {
    try (EngineHarness h = new EngineHarness();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 1)) {
      JdbcClient jdbc = JdbcClient.create(pool);
      List<Long> longs = Arrays.asList(1L, null, Long.MIN_VALUE, Long.MAX_VALUE, 0L);
      assertThat(unnest(jdbc, "bigint", SqlArrays.bigints(longs, v -> v), Long.class))
          .containsExactlyElementsOf(longs);
      List<Integer> ints = Arrays.asList(null, -1, Integer.MAX_VALUE, 503);
      assertThat(unnest(jdbc, "int", SqlArrays.ints(ints, v -> v), Integer.class))
          .containsExactlyElementsOf(ints);
      List<Double> doubles = Arrays.asList(0.25, null, 1e-9, 86_400.0);
      assertThat(unnest(jdbc, "float8", SqlArrays.doubles(doubles, v -> v), Double.class))
          .containsExactlyElementsOf(doubles);
      List<Boolean> booleans = Arrays.asList(true, null, false);
      assertThat(unnest(jdbc, "boolean", SqlArrays.booleans(booleans, v -> v), Boolean.class))
          .containsExactlyElementsOf(booleans);
      List<String> texts =
          Arrays.asList(
              "plain", null, "NULL", "", "a,b", "{x}", "say \"hi\"", "back\\slash", " pad ", "é✓");
      assertThat(unnest(jdbc, "text", SqlArrays.texts(texts, v -> v), String.class))
          .containsExactlyElementsOf(texts);
      List<Instant> instants =
          Arrays.asList(
              Instant.parse("2026-03-29T01:30:00Z"),
              null,
              Instant.parse("2026-10-25T00:59:59.123456Z"),
              Instant.parse("1970-01-01T00:00:00Z"));
      assertThat(
              jdbc.sql(
                      """
                      select extract(epoch from t) * 1000000 from unnest(:a::timestamptz[])
                        with ordinality as u(t, i) order by i""")
                  .param("a", SqlArrays.instants(instants, v -> v))
                  .query((rs, n) -> rs.getObject(1) == null ? null : rs.getBigDecimal(1))
                  .list())
          .map(micros -> micros == null ? null : micros.longValueExact())
          .containsExactlyElementsOf(
              instants.stream()
                  .map(t -> t == null ? null : t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000)
                  .toList());
    }
  }

  private static <V> List<V> unnest(JdbcClient jdbc, String type, SqlTypeValue a, Class<V> as) {
    return jdbc.sql(
            "select v from unnest(:a::%s[]) with ordinality as u(v, i) order by i".formatted(type))
        .param("a", a)
        .query((rs, n) -> rs.getObject(1, as))
        .list();
  }
}
