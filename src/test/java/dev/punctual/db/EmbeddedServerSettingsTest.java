package dev.punctual.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedServerSettingsTest {

  @Test
  void operatorSettingsComeAfterTheDurableOnesAndWin() {
    Map<String, String> s =
        EmbeddedServerSettings.withOperatorSettings(
            EmbeddedServerSettings.parse("shared_buffers=1GB; work_mem=16MB;"));
    assertThat(s).containsEntry("shared_buffers", "1GB").containsEntry("work_mem", "16MB");
    assertThat(s).containsEntry("fsync", "on");
    assertThat(s.keySet()).last().isEqualTo("work_mem");
  }

  @Test
  void valuesMayHoldCommasAndDottedNamesAreAllowed() {
    assertThat(
            EmbeddedServerSettings.parse(
                "shared_preload_libraries=pg_stat_statements,auto_explain;"
                    + "auto_explain.log_min_duration=1s"))
        .containsExactly(
            Map.entry("shared_preload_libraries", "pg_stat_statements,auto_explain"),
            Map.entry("auto_explain.log_min_duration", "1s"));
  }

  @Test
  void blankMeansNone() {
    assertThat(EmbeddedServerSettings.parse(null)).isEmpty();
    assertThat(EmbeddedServerSettings.parse("  ")).isEmpty();
    assertThat(EmbeddedServerSettings.withOperatorSettings(EmbeddedServerSettings.parse("")))
        .isEqualTo(EmbeddedServerSettings.durable());
  }

  @Test
  void anEntryThatIsNotNameEqualsValueIsRefusedByName() {
    for (String bad : new String[] {"work_mem", "=8MB", "work_mem=", "work mem=8MB", "a;b=1"}) {
      assertThatThrownBy(() -> EmbeddedServerSettings.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not name=value");
    }
  }

  @Test
  void turningOffDurabilityIsNamed() {
    assertThat(
            EmbeddedServerSettings.weakened(
                EmbeddedServerSettings.parse(
                    "fsync=off; synchronous_commit=local; full_page_writes=false; work_mem=0")))
        .containsExactly("fsync=off", "full_page_writes=false");
  }
}
