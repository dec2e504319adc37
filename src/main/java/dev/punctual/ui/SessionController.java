package dev.punctual.ui;

import dev.punctual.identity.Caller;
import dev.punctual.tenant.Authenticator;
import dev.punctual.tenant.DashboardSessions;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.FieldError;
import dev.punctual.web.JsonInput;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Signing in to the dashboard and out of it: {@code POST /ui/session} with {@code {"key": …}} opens
 * a session as that key (a cookie), {@code GET /ui/session} tells the page who it is and its CSRF
 * token, {@code DELETE /ui/session} (with the token) ends it on every node.
 */
@RestController
class SessionController {
  /** What the page learns of its session. The key itself is never sent back. */
  record SessionView(
      String kind,
      String tenant,
      String keyId,
      String scope,
      String csrfToken,
      Instant expiresAt) {}

  private final Authenticator authenticator;
  private final DashboardSessions sessions;

  SessionController(Authenticator authenticator, DashboardSessions sessions) {
    this.authenticator = authenticator;
    this.sessions = sessions;
  }

  /**
   * JSON only: a page of another site can post a form here but not JSON without the browser asking
   * first (CORS), so no one can sign a visitor in with a key of theirs.
   */
  @PostMapping(value = "/ui/session", consumes = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<SessionView> signIn(@RequestBody JsonNode body, HttpServletRequest request) {
    JsonInput in = JsonInput.of(body);
    in.allowOnly(Set.of("key"), Set.of());
    String key = in.string("key", true, 200);
    in.throwIfInvalid();
    Caller caller =
        authenticator
            .byKey(key.trim())
            .orElseThrow(
                () ->
                    new ApiProblem(
                        HttpStatus.UNAUTHORIZED,
                        "Unauthorized",
                        "This key is unknown, revoked or expired",
                        List.of(new FieldError("key", "is not a valid API key")),
                        Map.of()));
    DashboardSessions.Opened opened = sessions.open(caller);
    return ResponseEntity.ok()
        .header(
            HttpHeaders.SET_COOKIE,
            DashboardSessions.cookie(opened.token(), DashboardSessions.LIFETIME, request.isSecure())
                .toString())
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .body(view(caller, opened.session()));
  }

  @GetMapping("/ui/session")
  ResponseEntity<SessionView> current(HttpServletRequest request) {
    Optional<DashboardSessions.Session> session = sessions.find(request);
    Optional<Caller> caller = session.flatMap(s -> authenticator.byKeyId(s.keyId()));
    if (caller.isEmpty()) {
      throw new ApiProblem(HttpStatus.UNAUTHORIZED, "Unauthorized", "Not signed in");
    }
    return ResponseEntity.ok()
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .body(view(caller.get(), session.get()));
  }

  @DeleteMapping("/ui/session")
  ResponseEntity<Void> signOut(HttpServletRequest request) {
    Optional<DashboardSessions.Session> session = sessions.find(request);
    if (session.isPresent()
        && !session.get().csrfMatches(request.getHeader(DashboardSessions.CSRF_HEADER))) {
      throw new ApiProblem(
          HttpStatus.FORBIDDEN,
          "Forbidden",
          "Signing out needs the session's CSRF token in " + DashboardSessions.CSRF_HEADER);
    }
    sessions.close(request);
    return ResponseEntity.noContent()
        .header(
            HttpHeaders.SET_COOKIE,
            DashboardSessions.cookie("", Duration.ZERO, request.isSecure()).toString())
        .build();
  }

  private static SessionView view(Caller caller, DashboardSessions.Session session) {
    return new SessionView(
        caller.kind().name(),
        caller.tenantName(),
        caller.keyId(),
        caller.scope().name().toLowerCase(Locale.ROOT),
        session.csrfToken(),
        session.expiresAt());
  }
}
