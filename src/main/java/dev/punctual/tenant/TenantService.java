package dev.punctual.tenant;

import dev.punctual.audit.AuditAction;
import dev.punctual.audit.AuditLog;
import dev.punctual.config.PunctualProperties;
import dev.punctual.identity.Caller;
import dev.punctual.identity.KeyScope;
import dev.punctual.web.ApiProblem;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class TenantService {
  private static final SecureRandom RANDOM = new SecureRandom();

  record CreatedTenant(String name, Instant createdAt, NewKey apiKey, String signingSecret) {}

  record NewKey(String id, String key, String scope, Instant createdAt, Instant expiresAt) {}

  record TenantView(String name, Instant createdAt, List<KeyView> keys) {}

  record KeyView(
      String id, String scope, Instant createdAt, Instant expiresAt, Instant lastUsedAt) {}

  record RotatedSecret(String signingSecret, Instant previousValidUntil) {}

  private final TenantRepository tenants;
  private final AuditLog audit;
  private final ApiKeyStore keys;
  private final Duration secretOverlap;
  private final Clock clock;

  TenantService(
      TenantRepository tenants,
      ApiKeyStore keys,
      PunctualProperties properties,
      Clock clock,
      AuditLog audit) {
    this.audit = audit;
    this.tenants = tenants;
    this.keys = keys;
    this.secretOverlap = properties.signingSecretOverlap();
    this.clock = clock;
  }

  /**
   * A new signing secret, shown once. The previous one keeps signing beside it (deliveries carry
   * both signatures) until {@code previousValidUntil}, so targets can switch without a gap.
   */
  @Transactional
  RotatedSecret rotateSigningSecret(String tenantName) {
    long tenantId = require(tenantName).id();
    Instant retiresAt = clock.instant().plus(secretOverlap).truncatedTo(ChronoUnit.MICROS);
    Instant previousValidUntil = tenants.retireSigningSecrets(tenantId, retiresAt);
    String secret = newSigningSecret();
    tenants.insertSigningSecret(tenantId, secret);
    audit.record(tenantId, AuditAction.SIGNING_SECRET_ROTATE, tenantName, null);
    return new RotatedSecret(secret, previousValidUntil);
  }

  @Transactional
  CreatedTenant create(String name) {
    TenantRepository.TenantRow tenant =
        tenants
            .insert(name)
            .orElseThrow(() -> ApiProblem.conflict("A tenant named '" + name + "' exists"));
    String secret = newSigningSecret();
    tenants.insertSigningSecret(tenant.id(), secret);
    audit.record(tenant.id(), AuditAction.TENANT_CREATE, tenant.name(), null);
    NewKey key = addKey(tenant.id(), KeyScope.WRITE, null);
    return new CreatedTenant(tenant.name(), tenant.createdAt(), key, secret);
  }

  List<TenantView> list() {
    return tenants.all().stream()
        .map(
            t ->
                new TenantView(
                    t.name(),
                    t.createdAt(),
                    tenants.activeKeys(t.id()).stream()
                        .map(
                            k ->
                                new KeyView(
                                    k.id(),
                                    KeyScope.valueOf(k.scope()).json(),
                                    k.createdAt(),
                                    k.expiresAt(),
                                    k.lastUsedAt()))
                        .toList()))
        .toList();
  }

  @Transactional
  NewKey createKey(String tenantName, KeyScope scope, Instant expiresAt) {
    return addKey(require(tenantName).id(), scope, expiresAt);
  }

  @Transactional
  void revokeKey(String tenantName, String keyId) {
    long tenantId = require(tenantName).id();
    if (!keys.revoke(tenantId, keyId)) {
      throw ApiProblem.notFound("Tenant '" + tenantName + "' has no active key '" + keyId + "'");
    }
    audit.record(tenantId, AuditAction.KEY_REVOKE, keyId, null);
  }

  private TenantRepository.TenantRow require(String name) {
    return tenants
        .find(name)
        .orElseThrow(() -> ApiProblem.notFound("No tenant named '" + name + "'"));
  }

  private NewKey addKey(long tenantId, KeyScope scope, Instant expiresAt) {
    ApiKey key = ApiKey.generate();
    Instant createdAt = keys.insert(key, Caller.Kind.TENANT, tenantId, scope, expiresAt);
    audit.record(
        tenantId,
        AuditAction.KEY_CREATE,
        key.id(),
        "scope " + scope.json() + (expiresAt == null ? "" : ", expires " + expiresAt));
    return new NewKey(key.id(), key.text(), scope.json(), createdAt, expiresAt);
  }

  /** Standard Webhooks: {@code whsec_} and the base64 of 32 random bytes. */
  private static String newSigningSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "whsec_" + Base64.getEncoder().encodeToString(bytes);
  }
}
