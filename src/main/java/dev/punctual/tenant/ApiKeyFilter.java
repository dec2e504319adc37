package dev.punctual.tenant;

import dev.punctual.config.PunctualProperties;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every {@code /api/**} request by its {@code Authorization: Bearer <key>}: 401
 * without a valid key, otherwise the {@link Caller} becomes a request attribute. Which kind of key
 * an endpoint takes (403) is the endpoint's business.
 *
 * <p>With {@code PUNCTUAL_ADMIN_KEY} set, that key is the only admin key; otherwise the admin keys
 * kept in the database are.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class ApiKeyFilter extends OncePerRequestFilter {
  private final ApiKeyStore keys;
  private final ProblemWriter problems;
  private final byte[] configuredAdminKeyHash;

  ApiKeyFilter(ApiKeyStore keys, ProblemWriter problems, PunctualProperties properties) {
    this.keys = keys;
    this.problems = problems;
    String adminKey = properties.adminKey();
    this.configuredAdminKeyHash =
        adminKey == null || adminKey.isBlank() ? null : ApiKey.sha256(adminKey);
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<Caller> caller;
    try {
      caller = authenticate(request.getHeader(HttpHeaders.AUTHORIZATION));
    } catch (DataAccessResourceFailureException | TransientDataAccessResourceException e) {
      problems.write(
          response,
          new ApiProblem(
              HttpStatus.SERVICE_UNAVAILABLE,
              "Service unavailable",
              "The database is unreachable; retry later",
              List.of(),
              Map.of(HttpHeaders.RETRY_AFTER, "5")));
      return;
    }
    if (caller.isEmpty()) {
      problems.write(
          response,
          new ApiProblem(
              HttpStatus.UNAUTHORIZED,
              "Unauthorized",
              "A valid API key is required: Authorization: Bearer <key>",
              List.of(),
              Map.of(HttpHeaders.WWW_AUTHENTICATE, "Bearer")));
      return;
    }
    request.setAttribute(Caller.ATTRIBUTE, caller.get());
    // The tenant on every log line of the request (the key itself never is).
    String tenant = caller.get().tenantId() == null ? "admin" : caller.get().tenantId().toString();
    try (org.slf4j.MDC.MDCCloseable ignored = org.slf4j.MDC.putCloseable("tenant.id", tenant)) {
      chain.doFilter(request, response);
    }
  }

  private Optional<Caller> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String presented = authorization.substring(7).trim();
    if (configuredAdminKeyHash != null
        && java.security.MessageDigest.isEqual(ApiKey.sha256(presented), configuredAdminKeyHash)) {
      return Optional.of(new Caller(Caller.Kind.ADMIN, null, null));
    }
    return ApiKey.parse(presented)
        .flatMap(key -> keys.find(key.id()).filter(stored -> accepts(stored, key)))
        .map(stored -> new Caller(stored.kind(), stored.tenantId(), stored.tenantName()));
  }

  private boolean accepts(ApiKeyStore.StoredKey stored, ApiKey presented) {
    if (stored.revoked() || !presented.matches(stored.hash())) {
      return false;
    }
    // A configured admin key replaces the generated one, so a leaked generated key can be retired.
    return stored.kind() == Caller.Kind.TENANT || configuredAdminKeyHash == null;
  }
}
