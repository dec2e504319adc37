package dev.punctual.identity;

import dev.punctual.web.ApiProblem;
import org.springframework.http.HttpStatus;

/**
 * Who is calling: the admin, or one tenant, with which key ({@code keyId}, the public part; {@link
 * #CONFIGURED_ADMIN} for {@code PUNCTUAL_ADMIN_KEY}) and its scope. Set by {@link ApiKeyFilter} as
 * a request attribute; controllers take it with {@code @RequestAttribute(Caller.ATTRIBUTE)}.
 */
public record Caller(Kind kind, Long tenantId, String tenantName, String keyId, KeyScope scope) {
  public static final String ATTRIBUTE = "punctual.caller";

  /** The key id recorded for the admin key set by {@code PUNCTUAL_ADMIN_KEY}. */
  public static final String CONFIGURED_ADMIN = "PUNCTUAL_ADMIN_KEY";

  public enum Kind {
    ADMIN,
    TENANT
  }

  /** The tenant's id; 403 for the admin key, which owns no jobs. */
  public long requireTenant() {
    if (kind != Kind.TENANT) {
      throw new ApiProblem(
          HttpStatus.FORBIDDEN, "Forbidden", "This endpoint takes a tenant key, not the admin key");
    }
    return tenantId;
  }

  /** 403 unless this is the admin key. */
  public void requireAdmin() {
    if (kind != Kind.ADMIN) {
      throw new ApiProblem(HttpStatus.FORBIDDEN, "Forbidden", "This endpoint takes the admin key");
    }
  }
}
