package dev.punctual.tenant;

import dev.punctual.web.ApiProblem;
import org.springframework.http.HttpStatus;

/**
 * Who is calling: the admin, or one tenant. Set by {@link ApiKeyFilter} as a request attribute;
 * controllers take it with {@code @RequestAttribute(Caller.ATTRIBUTE)}.
 */
public record Caller(Kind kind, Long tenantId, String tenantName) {
  public static final String ATTRIBUTE = "punctual.caller";

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
