package dev.punctual.tenant;

import dev.punctual.config.PunctualProperties;
import dev.punctual.identity.Caller;
import dev.punctual.identity.KeyScope;
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
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every {@code /api/**} request by its {@code Authorization: Bearer <key>}, or,
 * without that header, by the dashboard's session cookie (which must then carry the session's CSRF
 * token on every request but GET, HEAD and OPTIONS: 403 without it): 401 without a valid key
 * (unknown, revoked or expired), 403 for a read key on a request that changes something, otherwise
 * the {@link Caller} becomes a request attribute. Which kind of key an endpoint takes (403) is the
 * endpoint's business.
 *
 * <p>With {@code PUNCTUAL_ADMIN_KEY} set, that key is the only admin key; otherwise the admin keys
 * kept in the database are.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class ApiKeyFilter extends OncePerRequestFilter {
  private final Authenticator authenticator;
  private final DashboardSessions sessions;
  private final ProblemWriter problems;
  private final boolean sessionsAccepted;

  ApiKeyFilter(
      Authenticator authenticator,
      DashboardSessions sessions,
      ProblemWriter problems,
      PunctualProperties properties) {
    this.authenticator = authenticator;
    this.sessions = sessions;
    this.problems = problems;
    this.sessionsAccepted = properties.uiEnabled();
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
      String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
      if (authorization == null && sessionsAccepted) {
        Optional<DashboardSessions.Session> session = sessions.find(request);
        if (session.isPresent()
            && !safe(request)
            && !session.get().csrfMatches(request.getHeader(DashboardSessions.CSRF_HEADER))) {
          problems.write(
              response,
              new ApiProblem(
                  HttpStatus.FORBIDDEN,
                  "Forbidden",
                  "A change made with the dashboard's session needs its CSRF token in "
                      + DashboardSessions.CSRF_HEADER,
                  List.of(),
                  Map.of()));
          return;
        }
        caller = session.flatMap(s -> authenticator.byKeyId(s.keyId()));
      } else {
        caller = bearer(authorization).flatMap(authenticator::byKey);
      }
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
    try (MDC.MDCCloseable ignored = MDC.putCloseable("tenant.id", tenant)) {
      chain.doFilter(request, response);
    }
  }

  private static boolean safe(HttpServletRequest request) {
    String method = request.getMethod();
    return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
  }

  /**
   * Whether a request may change something: every method but GET, HEAD and OPTIONS, except the
   * schedule preview, a POST that only computes. Decided before routing, so a read key is refused
   * the same on an endpoint that exists and on one that does not.
   */
  static boolean changes(HttpServletRequest request) {
    return !safe(request)
        && !(request.getMethod().equals("POST") && request.getRequestURI().equals(READ_ONLY_POST));
  }

  private static final String READ_ONLY_POST = "/api/v1/schedules/preview";

  private static Optional<String> bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.of(authorization.substring(7).trim());
  }
}
