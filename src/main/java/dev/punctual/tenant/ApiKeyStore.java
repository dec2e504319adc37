package dev.punctual.tenant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.punctual.config.PunctualProperties;
import dev.punctual.db.PgNotifications;
import java.time.Instant;
import java.util.Optional;
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
      boolean revoked) {}

  private final JdbcClient jdbc;
  private final PgNotifications notifications;
  private final Cache<String, StoredKey> cache;

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
            select k.id, k.kind, k.tenant_id, t.name, k.key_hash, k.revoked_at is not null as revoked
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
                    rs.getBoolean(6)))
        .optional();
  }

  Instant insert(ApiKey key, Caller.Kind kind, Long tenantId) {
    return jdbc.sql(
            """
            insert into api_keys (id, kind, tenant_id, key_hash) values (:id, :kind, :tenant, :hash)
            returning created_at
            """)
        .param("id", key.id())
        .param("kind", kind.name())
        .param("tenant", tenantId)
        .param("hash", key.hash())
        .query(Instant.class)
        .single();
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
