package dev.punctual.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of Punctual, with its default. The environment variables of API.md are mapped onto
 * these names in {@code application.yml}.
 *
 * @param databaseUrl {@code DATABASE_URL}: a PostgreSQL server ({@code postgres://user:pass@host:
 *     port/db} or {@code jdbc:postgresql://...}); blank starts an embedded PostgreSQL
 * @param dataDir {@code PUNCTUAL_DATA_DIR}: where the embedded database and {@code admin.key} live
 * @param adminKey {@code PUNCTUAL_ADMIN_KEY}: the admin key; blank means one is generated at first
 *     start and kept in the database
 * @param poolSize {@code PUNCTUAL_POOL_SIZE}: connections in the pool of this node
 * @param poolTimeout how long a request waits for a pooled connection before it answers 503
 * @param keyCacheTtl how long a verified API key is remembered; revocations reach every node at
 *     once through {@code NOTIFY}, so this only bounds the damage of a lost notification
 * @param maxRequestBody {@code PUNCTUAL_MAX_REQUEST_BODY}: larger request bodies answer 413
 * @param idempotencyTtl how long an {@code Idempotency-Key} of a job creation is remembered
 */
@ConfigurationProperties("punctual")
public record PunctualProperties(
    String databaseUrl,
    @DefaultValue("./data") Path dataDir,
    String adminKey,
    @DefaultValue("10") int poolSize,
    @DefaultValue("3s") Duration poolTimeout,
    @DefaultValue("60s") Duration keyCacheTtl,
    @DefaultValue("256KB") DataSize maxRequestBody,
    @DefaultValue("24h") Duration idempotencyTtl) {

  public boolean usesEmbeddedDatabase() {
    return databaseUrl == null || databaseUrl.isBlank();
  }
}
