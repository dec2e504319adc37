package dev.punctual.tenant;

import dev.punctual.secret.SecretBox;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class TenantRepository {
  record TenantRow(long id, String name, Instant createdAt) {}

  record KeyRow(
      String id, String scope, Instant createdAt, Instant expiresAt, Instant lastUsedAt) {}

  private final JdbcClient jdbc;

  private final SecretBox box;

  TenantRepository(JdbcClient jdbc, SecretBox box) {
    this.jdbc = jdbc;
    this.box = box;
  }

  /** The new tenant, or empty if the name is taken. */
  Optional<TenantRow> insert(String name) {
    return jdbc.sql(
            """
            insert into tenants (name) values (:name) on conflict (name) do nothing
            returning id, name, created_at
            """)
        .param("name", name)
        .query(TenantRow.class)
        .optional();
  }

  Optional<TenantRow> find(String name) {
    return jdbc.sql("select id, name, created_at from tenants where name = :name")
        .param("name", name)
        .query(TenantRow.class)
        .optional();
  }

  List<TenantRow> all() {
    return jdbc.sql("select id, name, created_at from tenants order by name")
        .query(TenantRow.class)
        .list();
  }

  List<KeyRow> activeKeys(long tenantId) {
    return jdbc.sql(
            """
            select id, scope, created_at, expires_at, last_used_at from api_keys
            where tenant_id = :tenant and revoked_at is null order by created_at
            """)
        .param("tenant", tenantId)
        .query(KeyRow.class)
        .list();
  }

  /**
   * Retires the tenant's current secrets at {@code retiresAt} (those already retiring keep their
   * earlier time); returns when the last of them retires, or null when there was none.
   */
  Instant retireSigningSecrets(long tenantId, Instant retiresAt) {
    return jdbc.sql(
            """
            with retired as (
                update signing_secrets set retires_at = least(coalesce(retires_at, :at), :at)
                where tenant_id = :tenant and (retires_at is null or retires_at > now())
                returning retires_at
            )
            select max(retires_at) from retired
            """)
        .param("tenant", tenantId)
        .param("at", Timestamp.from(retiresAt))
        .query(Instant.class)
        .optional()
        .orElse(null);
  }

  /** Stores a new signing secret, sealed (docs/security.md, "Secrets at rest"). */
  void insertSigningSecret(long tenantId, String secret) {
    jdbc.sql("insert into signing_secrets (tenant_id, secret) values (:tenant, :secret)")
        .param("tenant", tenantId)
        .param("secret", box.seal(secret))
        .update();
  }
}
