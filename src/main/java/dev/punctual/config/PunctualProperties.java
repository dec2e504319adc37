package dev.punctual.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of Punctual, with its default. The environment variables of the README are mapped
 * onto these names in {@code application.yml}.
 *
 * @param databaseUrl {@code DATABASE_URL}: a PostgreSQL server ({@code postgres://user:pass@host:
 *     port/db} or {@code jdbc:postgresql://...}); blank starts an embedded PostgreSQL
 * @param dataDir {@code PUNCTUAL_DATA_DIR}: where the embedded database and {@code admin.key} live
 * @param embeddedSettings {@code PUNCTUAL_EMBEDDED_SETTINGS}: PostgreSQL settings of the embedded
 *     server, {@code name=value} separated by {@code ;}, applied after Punctual's own (which they
 *     override); ignored with a {@code DATABASE_URL}
 * @param adminKey {@code PUNCTUAL_ADMIN_KEY}: the admin key; blank means one is generated at first
 *     start and kept in the database
 * @param secretKey {@code PUNCTUAL_SECRET_KEY}: the AES-256 keys (base64 of 32 bytes) that seal
 *     signing secrets and secret header values, comma-separated, the current one first; blank means
 *     {@code secretKeyFile}, else {@code <data dir>/secret.key} (generated at first start)
 * @param secretKeyFile {@code PUNCTUAL_SECRET_KEY_FILE}: a file of such keys, one per line
 * @param poolSize {@code PUNCTUAL_POOL_SIZE}: connections in the pool of this node
 * @param poolTimeout how long a request waits for a pooled connection before it answers 503
 * @param keyCacheTtl how long a verified API key is remembered; revocations reach every node at
 *     once through {@code NOTIFY}, so this only bounds the damage of a lost notification
 * @param maxRequestBody {@code PUNCTUAL_MAX_REQUEST_BODY}: larger request bodies answer 413
 * @param idempotencyTtl how long an {@code Idempotency-Key} of a job creation is remembered
 * @param signingSecretOverlap after a rotation, how long the previous signing secret keeps signing
 *     beside the new one, so that targets can switch over
 * @param egressAllow {@code PUNCTUAL_EGRESS_ALLOW}: comma-separated CIDRs that targets may reach
 *     although the guard denies them by default (loopback, link-local, multicast...)
 * @param egressDeny {@code PUNCTUAL_EGRESS_DENY}: comma-separated CIDRs targets may never reach
 * @param roles {@code PUNCTUAL_ROLES}: what this node does, a comma-separated subset of {@code api}
 *     (serve the API), {@code scheduler} (fire schedules), {@code worker} (deliver runs)
 * @param rateLimit {@code PUNCTUAL_RATE_LIMIT}: API requests per second per tenant on each node (0:
 *     no limit); past it, 429 with {@code Retry-After}
 * @param rateLimitBurst {@code PUNCTUAL_RATE_LIMIT_BURST}: requests a tenant may make at once after
 *     being idle (the bucket's size)
 * @param maxJobsPerTenant {@code PUNCTUAL_MAX_JOBS_PER_TENANT}: jobs a tenant may hold (0: no
 *     limit); a create past it answers 422
 * @param uiEnabled {@code PUNCTUAL_UI_ENABLED}: serve the dashboard at {@code /ui} (and accept its
 *     session cookie on the API); {@code false} answers 404 there and takes API keys only
 * @see EngineProperties the engine's settings
 */
@ConfigurationProperties("punctual")
public record PunctualProperties(
    String databaseUrl,
    @DefaultValue("./data") Path dataDir,
    @DefaultValue("") String embeddedSettings,
    String adminKey,
    String secretKey,
    Path secretKeyFile,
    @DefaultValue("10") int poolSize,
    @DefaultValue("3s") Duration poolTimeout,
    @DefaultValue("60s") Duration keyCacheTtl,
    @DefaultValue("256KB") DataSize maxRequestBody,
    @DefaultValue("24h") Duration idempotencyTtl,
    @DefaultValue("24h") Duration signingSecretOverlap,
    @DefaultValue("") String egressAllow,
    @DefaultValue("") String egressDeny,
    @DefaultValue("api,scheduler,worker") String roles,
    @DefaultValue("100") int rateLimit,
    @DefaultValue("200") int rateLimitBurst,
    @DefaultValue("100000") int maxJobsPerTenant,
    @DefaultValue("true") boolean uiEnabled) {

  public PunctualProperties {
    roleSet(roles); // fail at start on an unknown role
    if (rateLimit < 0 || rateLimitBurst < 0 || maxJobsPerTenant < 0) {
      throw new IllegalArgumentException("Punctual's limits cannot be negative (0 means none)");
    }
  }

  public Set<NodeRole> roleSet() {
    return roleSet(roles);
  }

  private static Set<NodeRole> roleSet(String text) {
    Set<NodeRole> set = EnumSet.noneOf(NodeRole.class);
    for (String part : (text == null ? "" : text).split(",")) {
      if (part.isBlank()) {
        continue;
      }
      set.add(
          NodeRole.parse(part)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "PUNCTUAL_ROLES: unknown role '"
                              + part.trim()
                              + "' (known: api, scheduler, worker)")));
    }
    return set;
  }

  public boolean usesEmbeddedDatabase() {
    return databaseUrl == null || databaseUrl.isBlank();
  }
}
