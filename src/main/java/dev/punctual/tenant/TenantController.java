package dev.punctual.tenant;

import dev.punctual.identity.Caller;
import dev.punctual.identity.KeyScope;
import dev.punctual.web.JsonInput;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** Tenants and their API keys: the admin's endpoints. */
@RestController
@RequestMapping("/api/v1/tenants")
class TenantController {
  static final String NAME_REGEX = "[a-z][a-z0-9-]{0,62}";

  private final TenantService tenants;
  private final Clock clock;

  TenantController(TenantService tenants, Clock clock) {
    this.tenants = tenants;
    this.clock = clock;
  }

  @PostMapping
  ResponseEntity<TenantService.CreatedTenant> create(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody JsonNode body) {
    caller.requireAdmin();
    JsonInput in = JsonInput.of(body);
    in.allowOnly(Set.of("name"), Set.of());
    String name =
        in.string(
            "name",
            true,
            63,
            NAME_REGEX,
            "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter");
    in.throwIfInvalid();
    return ResponseEntity.status(HttpStatus.CREATED).body(tenants.create(name));
  }

  @GetMapping
  Map<String, List<TenantService.TenantView>> list(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    caller.requireAdmin();
    return Map.of("items", tenants.list());
  }

  /**
   * A new key for the tenant, shown once. The body is optional: {@code scope} ({@code "write"} by
   * default, or {@code "read"}) and {@code expiresAt} (a future instant; none by default).
   */
  @PostMapping("/{name}/keys")
  ResponseEntity<TenantService.NewKey> createKey(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @PathVariable String name,
      @RequestBody(required = false) JsonNode body) {
    caller.requireAdmin();
    JsonInput in =
        JsonInput.of(body == null || body.isNull() ? JsonNodeFactory.instance.objectNode() : body);
    in.allowOnly(Set.of("scope", "expiresAt"), Set.of());
    String scopeText = in.string("scope", false, 5, "read|write", "must be \"read\" or \"write\"");
    Instant expiresAt = in.instant("expiresAt", false);
    if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
      in.error("expiresAt", "must be in the future");
    }
    in.throwIfInvalid();
    KeyScope scope =
        scopeText == null ? KeyScope.WRITE : KeyScope.fromJson(scopeText).orElseThrow();
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(tenants.createKey(name, scope, expiresAt));
  }

  @PostMapping("/{name}/signing-secrets")
  ResponseEntity<TenantService.RotatedSecret> rotateSigningSecret(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String name) {
    caller.requireAdmin();
    return ResponseEntity.status(HttpStatus.CREATED).body(tenants.rotateSigningSecret(name));
  }

  @DeleteMapping("/{name}/keys/{keyId}")
  ResponseEntity<Void> revokeKey(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @PathVariable String name,
      @PathVariable String keyId) {
    caller.requireAdmin();
    tenants.revokeKey(name, keyId);
    return ResponseEntity.noContent().build();
  }
}
