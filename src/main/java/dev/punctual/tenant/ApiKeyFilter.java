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
 * without a valid key (unknown, revoked or expired), 403 for a read key on a request that changes
 * something, otherwise the {@link Caller} becomes a request attribute. Which kind of key an
 * endpoint takes (403) is the endpoint's business.
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
  private final java.time.Clock clock;

  ApiKeyFilter(
      ApiKeyStore keys,
      ProblemWriter problems,
      PunctualProperties properties,
      java.time.Clock clock) {
    this.keys = keys;
    this.problems = problems;
    this.clock = clock;
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
    if (caller.get().scope() == KeyScope.READ && changes(request)) {
      problems.write(
          response,
          new ApiProblem(
              HttpStatus.FORBIDDEN,
              "Forbidden",
              "This key's scope is read: it may read, not change (use a write key)",
              List.of(),
              Map.of()));
      return;
    }
    request.setAttribute(Caller.ATTRIBUTE, caller.get());
    // The tenant on every log line of the request (the key itself never is).
    String tenant = caller.get().tenantId() == null ? "admin" : caller.get().tenantId().toString();
    try (org.slf4j.MDC.MDCCloseable ignored = org.slf4j.MDC.putCloseable("tenant.id", tenant)) {
      chain.doFilter(request, response);
    }
  }

  /**
   * Whether a request may change something: every method but GET, HEAD and OPTIONS, except the
   * schedule preview, a POST that only computes. Decided before routing, so a read key is refused
   * the same on an endpoint that exists and on one that does not.
   */
  static boolean changes(HttpServletRequest request) {
    String method = request.getMethod();
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      return false;
    }
    return !(method.equals("POST") && request.getRequestURI().equals(READ_ONLY_POST));
  }

  private static final String READ_ONLY_POST = "/api/v1/schedules/preview";

  private Optional<Caller> authenticate(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String presented = authorization.substring(7).trim();
    if (configuredAdminKeyHash != null
        && java.security.MessageDigest.isEqual(ApiKey.sha256(presented), configuredAdminKeyHash)) {
      return Optional.of(
          new Caller(Caller.Kind.ADMIN, null, null, Caller.CONFIGURED_ADMIN, KeyScope.WRITE));
    }
    Optional<ApiKeyStore.StoredKey> stored =
        ApiKey.parse(presented)
            .flatMap(key -> keys.find(key.id()).filter(found -> accepts(found, key)));
    stored.ifPresent(k -> keys.touch(k.id()));
    return stored.map(k -> new Caller(k.kind(), k.tenantId(), k.tenantName(), k.id(), k.scope()));
  }

  private boolean accepts(ApiKeyStore.StoredKey stored, ApiKey presented) {
    if (stored.revoked() || stored.expired(clock.instant()) || !presented.matches(stored.hash())) {
      return false;
    }
    // A configured admin key replaces the generated one, so a leaked generated key can be retired.
    return stored.kind() == Caller.Kind.TENANT || configuredAdminKeyHash == null;
  }
}
