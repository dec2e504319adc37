package dev.punctual.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punctual.config.EngineProperties;
import dev.punctual.config.NodeRole;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class EngineSettingsTest {
  private static EngineProperties bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("punctual.engine", EngineProperties.class);
  }

  @Test
  void unsetAndEmptySettingsAreTheDefaultsSetOnesApply() {
    // application.yml maps each unset PUNCTUAL_ENGINE_* variable to an empty value.
    EngineSettings settings =
        EngineSettings.from(
            Set.of(NodeRole.SCHEDULER),
            bind(
                Map.of(
                    "punctual.engine.lookahead", "",
                    "punctual.engine.claim-batch", "200",
                    "punctual.engine.dead-node-after", "30s",
                    "punctual.engine.retention", "3d")));
    EngineSettings defaults = EngineSettings.defaults();
    assertThat(settings.lookahead()).isEqualTo(defaults.lookahead());
    assertThat(settings.claimBatch()).isEqualTo(200);
    assertThat(settings.deadNodeAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.retention()).isEqualTo(Duration.ofDays(3));
    assertThat(settings.maxInFlight()).isEqualTo(defaults.maxInFlight());
    assertThat(settings.warmUpRequests()).isEqualTo(defaults.warmUpRequests());
    assertThat(bind(Map.of()).poolSizeOrDefault()).isEqualTo(EngineProperties.DEFAULT_POOL_SIZE);
  }

  @Test
  void aTenantMayHoldAtMostWhatTheNodeHoldsUnlessSetOtherwise() {
    EngineSettings small = EngineSettings.builder().maxInFlight(10).build();
    assertThat(small.tenantMaxInFlight()).isEqualTo(10);
    EngineSettings large = EngineSettings.builder().maxInFlight(1_000).build();
    assertThat(large.tenantMaxInFlight()).isLessThan(large.maxInFlight());
    assertThat(EngineSettings.builder().maxInFlight(1_000).tenantMaxInFlight(500).build())
        .extracting(EngineSettings::tenantMaxInFlight)
        .isEqualTo(500);
  }

  @Test
  void aBadValueStopsTheStartNamingEverySetting() {
    assertThatThrownBy(
            () ->
                EngineSettings.from(
                    Set.of(),
                    bind(
                        Map.of(
                            "punctual.engine.claim-batch", "0",
                            "punctual.engine.poll-interval", "2h",
                            "punctual.engine.warm-up-requests", "-1"))))
        .hasMessageContaining("claim-batch must be 1 to 10000, not 0")
        .hasMessageContaining("warm-up-requests must be 0 to 1000000, not -1")
        .hasMessageContaining("poll-interval must be");
    assertThatThrownBy(
            () ->
                EngineSettings.builder()
                    .lookahead(Duration.ofSeconds(10))
                    .jobLease(Duration.ofSeconds(5))
                    .build())
        .hasMessageContaining("job-lease (PT5S) must be longer than lookahead (PT10S)");
    assertThatThrownBy(
            () ->
                EngineSettings.builder()
                    .heartbeatInterval(Duration.ofSeconds(8))
                    .deadNodeAfter(Duration.ofSeconds(10))
                    .build())
        .hasMessageContaining("dead-node-after (PT10S) must be at least twice");
    assertThatThrownBy(() -> bind(Map.of("punctual.engine.pool-size", "2")))
        .hasRootCauseMessage(
            "punctual.engine.pool-size (PUNCTUAL_ENGINE_POOL_SIZE) must be 4-100, not 2");
  }
}
