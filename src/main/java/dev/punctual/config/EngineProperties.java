package dev.punctual.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The engine's settings as given ({@code punctual.engine.*}, or the {@code PUNCTUAL_ENGINE_*}
 * environment variables mapped in {@code application.yml}); null means "the default", and the
 * defaults live in one place, {@code EngineSettings.Builder}, which also validates the whole.
 *
 * @param poolSize connections of the engine's own pool ({@code PUNCTUAL_ENGINE_POOL_SIZE}, default
 *     {@link #DEFAULT_POOL_SIZE}): one per loop that uses the database (claim, fire, run claim,
 *     outcomes, heartbeat, retention) and two spare
 */
@ConfigurationProperties("punctual.engine")
public record EngineProperties(
    Duration lookahead,
    Duration pollInterval,
    Integer claimBatch,
    Duration jobLease,
    Duration deadNodeAfter,
    Duration heartbeatInterval,
    Duration misfireThreshold,
    Integer maxInFlight,
    Duration fireBatchWindow,
    Duration shutdownGrace,
    Duration retention,
    Integer tenantFireRate,
    Integer tenantMaxInFlight,
    Integer poolSize,
    Integer warmUpRequests) {
  public static final int DEFAULT_POOL_SIZE = 8;

  public EngineProperties {
    if (poolSize != null && (poolSize < 4 || poolSize > 100)) {
      throw new IllegalArgumentException(
          "punctual.engine.pool-size (PUNCTUAL_ENGINE_POOL_SIZE) must be 4-100, not " + poolSize);
    }
  }

  public int poolSizeOrDefault() {
    return poolSize == null ? DEFAULT_POOL_SIZE : poolSize;
  }
}
