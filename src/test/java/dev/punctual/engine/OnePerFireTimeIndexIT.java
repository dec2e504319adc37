package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.punctual.queue.RunTrigger;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The inserts of the schedule's runs rely on the partial unique index {@code
 * runs_one_per_fire_time} ({@code ON CONFLICT … WHERE} names its predicate): the triggers the index
 * covers, as the migrated database has them, are exactly {@link RunTrigger#ONE_PER_FIRE_TIME}. A
 * migration that changes the index, or an enum change that forgets it, fails here.
 */
@Tag("own-database")
class OnePerFireTimeIndexIT {
  private static final Pattern LITERAL = Pattern.compile("'([A-Z_]+)'::text");

  @Test
  void theUniqueIndexCoversExactlyTheTriggersOfOneRunPerFireTime() throws Exception {
    try (EngineHarness h = new EngineHarness();
        HikariDataSource pool = EngineHarness.pool(h.postgres.getPort(), 1)) {
      JdbcClient jdbc = JdbcClient.create(pool);
      Index index =
          jdbc.sql(
                  """
                  select i.indisunique, pg_get_indexdef(i.indexrelid),
                         pg_get_expr(i.indpred, i.indrelid)
                  from pg_index i join pg_class c on c.oid = i.indexrelid
                  where c.relname = 'runs_one_per_fire_time'
                  """)
              .query((rs, row) -> new Index(rs.getBoolean(1), rs.getString(2), rs.getString(3)))
              .single();
      assertThat(index.unique()).as("unique").isTrue();
      assertThat(index.definition()).contains("(job_id, scheduled_for)");
      assertThat(index.predicate()).as("predicate").startsWith("(trigger = ANY (ARRAY[");
      Set<RunTrigger> covered = EnumSet.noneOf(RunTrigger.class);
      Matcher m = LITERAL.matcher(index.predicate());
      while (m.find()) {
        covered.add(RunTrigger.valueOf(m.group(1)));
      }
      assertThat(covered).isEqualTo(RunTrigger.ONE_PER_FIRE_TIME);

      // And the text the inserts name in ON CONFLICT holds for the same triggers, no others.
      Set<RunTrigger> named = EnumSet.noneOf(RunTrigger.class);
      jdbc.sql(
              "select trigger from unnest(:all::text[]) as t(trigger) where "
                  + RunTrigger.ONE_PER_FIRE_TIME_SQL)
          .param("all", Arrays.stream(RunTrigger.values()).map(Enum::name).toArray(String[]::new))
          .query((rs, row) -> named.add(RunTrigger.valueOf(rs.getString(1))))
          .list();
      assertThat(named).isEqualTo(covered);
    }
  }

  private record Index(boolean unique, String definition, String predicate) {}
}
