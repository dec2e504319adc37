package dev.punctual.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.punctual.config.PunctualProperties;
import dev.punctual.db.PgNotifications;
import dev.punctual.identity.Caller;
import dev.punctual.identity.KeyScope;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * API keys in the database, behind a short cache so that an authenticated request costs no query. A
 * revocation sends {@code NOTIFY punctual_api_keys} in its transaction; every node, this one
 * included, drops the key from its cache when it arrives. While the notification connection is down
 * the cache is bypassed, so a lost notification cannot keep a revoked key alive.
 */
@Component
class ApiKeyStore {
  static final String CHANNEL = "punctual_api_keys";

  /** What the cache keeps of a key: enough to authenticate and to name the caller. */
  record StoredKey(
      String id,
      Caller.Kind kind,
      Long tenantId,
      String tenantName,
      byte[] hash,
      boolean revoked,
      KeyScope scope,
      Instant expiresAt) {
    boolean expired(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }
  }

  /** How often a node writes a key's last use at most: the precision of {@code lastUsedAt}. */
  static final Duration LAST_USE_PRECISION = Duration.ofMinutes(1);

  private final JdbcClient jdbc;
  private final PgNotifications notifications;
  private final Cache<String, StoredKey> cache;
  // Keys whose last use this node wrote within LAST_USE_PRECISION: not written again until then.
  private final Cache<String, Boolean> recentlyTouched =
      Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(LAST_USE_PRECISION).build();

  ApiKeyStore(JdbcClient jdbc, PgNotifications notifications, PunctualProperties properties) {
    this.jdbc = jdbc;
    this.notifications = notifications;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterWrite(properties.keyCacheTtl())
            .build();
    notifications.subscribe(CHANNEL, cache::invalidate);
    notifications.onReconnect(cache::invalidateAll);
  }

  Optional<StoredKey> find(String id) {
    if (!notifications.isListening()) {
      return load(id);
    }
    StoredKey cached = cache.getIfPresent(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<StoredKey> loaded = load(id);
    loaded.ifPresent(k -> cache.put(id, k));
    return loaded;
  }

  private Optional<StoredKey> load(String id) {
    return jdbc.sql(
            """
            select k.id, k.kind, k.tenant_id, t.name, k.key_hash, k.revoked_at is not null as revoked,
                   k.scope, k.expires_at
            from api_keys k left join tenants t on t.id = k.tenant_id
            where k.id = :id
            """)
        .param("id", id)
        .query(
            (rs, row) ->
                new StoredKey(
                    rs.getString(1),
                    Caller.Kind.valueOf(rs.getString(2)),
                    rs.getObject(3, Long.class),
                    rs.getString(4),
                    rs.getBytes(5),
                    rs.getBoolean(6),
                    KeyScope.valueOf(rs.getString(7)),
                    rs.getObject(8, OffsetDateTime.class) == null
                        ? null
                        : rs.getObject(8, OffsetDateTime.class).toInstant()))
        .optional();
  }

  Instant insert(ApiKey key, Caller.Kind kind, Long tenantId) {
    return insert(key, kind, tenantId, KeyScope.WRITE, null);
  }

  Instant insert(ApiKey key, Caller.Kind kind, Long tenantId, KeyScope scope, Instant expiresAt) {
    return jdbc.sql(
            """
            insert into api_keys (id, kind, tenant_id, key_hash, scope, expires_at)
            values (:id, :kind, :tenant, :hash, :scope, :expiresAt)
            returning created_at
            """)
        .param("id", key.id())
        .param("kind", kind.name())
        .param("tenant", tenantId)
        .param("hash", key.hash())
        .param("scope", scope.name())
        .param("expiresAt", expiresAt == null ? null : Timestamp.from(expiresAt))
        .query(Instant.class)
        .single();
  }

  /**
   * Records that a key was used now, at most once per {@link #LAST_USE_PRECISION} per key on this
   * node: one small update a minute per active key instead of one per request. A failure to write
   * it never fails the request it was for.
   */
  void touch(String id) {
    if (recentlyTouched.getIfPresent(id) != null) {
      return;
    }
    recentlyTouched.put(id, Boolean.TRUE);
    try {
      jdbc.sql(
              """
              update api_keys set last_used_at = now()
              where id = :id and (last_used_at is null or last_used_at < now() - interval '1 minute')
              """)
          .param("id", id)
          .update();
    } catch (DataAccessException e) {
      recentlyTouched.invalidate(id); // written by a later request instead
      LoggerFactory.getLogger(ApiKeyStore.class)
          .debug("Could not record the last use of key {}: {}", id, e.toString());
    }
  }

  /** Revokes a tenant's key; false if the tenant has no such (unrevoked) key. */
  boolean revoke(long tenantId, String keyId) {
    int updated =
        jdbc.sql(
                """
                update api_keys set revoked_at = now()
                where id = :id and tenant_id = :tenant and revoked_at is null
                """)
            .param("id", keyId)
            .param("tenant", tenantId)
            .update();
    if (updated == 1) {
      notifications.notify(CHANNEL, keyId);
      // This node drops it at once too, not only when the notification comes back.
      cache.invalidate(keyId);
      if (TransactionSynchronizationManager.isSynchronizationActive()) {
        TransactionSynchronizationManager.registerSynchronization(
            new TransactionSynchronization() {
              @Override
              public void afterCommit() {
                cache.invalidate(keyId);
              }
            });
      }
    }
    return updated == 1;
  }

  boolean hasAdminKey() {
    return jdbc.sql("select exists (select 1 from api_keys where kind = 'ADMIN')")
        .query(Boolean.class)
        .single();
  }
}
