package dev.punctual.tenant;

import dev.punctual.config.PunctualProperties;
import dev.punctual.identity.Caller;
import dev.punctual.identity.KeyScope;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Who a presented API key is, or who a dashboard session's key is: the one place that decides
 * whether a key is accepted (known, not revoked, not expired, and for a generated admin key, not
 * replaced by {@code PUNCTUAL_ADMIN_KEY}).
 */
@Component
public class Authenticator {
  private final ApiKeyStore keys;
  private final Clock clock;
  private final byte[] configuredAdminKeyHash;

  Authenticator(ApiKeyStore keys, PunctualProperties properties, Clock clock) {
    this.keys = keys;
    this.clock = clock;
    String adminKey = properties.adminKey();
    this.configuredAdminKeyHash =
        adminKey == null || adminKey.isBlank() ? null : ApiKey.sha256(adminKey);
  }

  /** The caller of a full key as presented ({@code pk_…}, or the configured admin key). */
  public Optional<Caller> byKey(String presented) {
    if (configuredAdminKeyHash != null
        && MessageDigest.isEqual(ApiKey.sha256(presented), configuredAdminKeyHash)) {
      return Optional.of(configuredAdmin());
    }
    Optional<ApiKeyStore.StoredKey> stored =
        ApiKey.parse(presented)
            .flatMap(key -> keys.find(key.id()).filter(found -> accepts(found, key)));
    stored.ifPresent(k -> keys.touch(k.id()));
    return stored.map(Authenticator::caller);
  }

  /**
   * The caller of a key by its public id, for a session opened with that key: still refused once
   * the key is revoked or expired, so that ending a key ends its sessions.
   */
  public Optional<Caller> byKeyId(String keyId) {
    if (Caller.CONFIGURED_ADMIN.equals(keyId)) {
      return configuredAdminKeyHash == null ? Optional.empty() : Optional.of(configuredAdmin());
    }
    Optional<ApiKeyStore.StoredKey> stored = keys.find(keyId).filter(this::usable);
    stored.ifPresent(k -> keys.touch(k.id()));
    return stored.map(Authenticator::caller);
  }

  private boolean accepts(ApiKeyStore.StoredKey stored, ApiKey presented) {
    return presented.matches(stored.hash()) && usable(stored);
  }

  private boolean usable(ApiKeyStore.StoredKey stored) {
    if (stored.revoked() || stored.expired(clock.instant())) {
      return false;
    }
    // A configured admin key replaces the generated one, so a leaked generated key can be retired.
    return stored.kind() == Caller.Kind.TENANT || configuredAdminKeyHash == null;
  }

  private static Caller configuredAdmin() {
    return new Caller(Caller.Kind.ADMIN, null, null, Caller.CONFIGURED_ADMIN, KeyScope.WRITE);
  }

  private static Caller caller(ApiKeyStore.StoredKey k) {
    return new Caller(k.kind(), k.tenantId(), k.tenantName(), k.id(), k.scope());
  }
}
