package dev.punctual.tenant;

import dev.punctual.identity.Caller;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Optional;
import org.springframework.http.ResponseCookie;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The dashboard's sign-in sessions ({@code ui_sessions}): a session stands for the API key it was
 * opened with, so it can do exactly what that key can, and no more. The cookie carries a random
 * token (only its SHA-256 is stored); every request that changes something must also carry the
 * session's CSRF token in {@code X-CSRF-Token}, which a page of another site cannot read.
 */
@Component
public class DashboardSessions {
  public static final String COOKIE = "punctual_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";

  /** A session lasts this long from sign-in, whatever its use: a work day. */
  public static final Duration LIFETIME = Duration.ofHours(8);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A session found by its cookie. */
  public record Session(String keyId, String csrfToken, Instant expiresAt) {
    /** Whether the request carries this session's CSRF token (compared in constant time). */
    public boolean csrfMatches(String presented) {
      return presented != null
          && MessageDigest.isEqual(
              presented.getBytes(StandardCharsets.US_ASCII),
              csrfToken.getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** A new session: the token for the cookie, and the session itself. */
  public record Opened(String token, Session session) {}

  private final JdbcClient jdbc;

  DashboardSessions(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Opened open(Caller caller) {
    // Expired sessions are refused from the moment they expire; each sign-in clears them away
    // (by index), so the table holds about a work day of sign-ins.
    jdbc.sql("delete from ui_sessions where expires_at < now()").update();
    String token = randomToken();
    String csrf = randomToken();
    Instant expiresAt =
        jdbc.sql(
                """
                insert into ui_sessions (token_hash, key_id, csrf_token, expires_at)
                values (:hash, :keyId, :csrf, now() + make_interval(secs => :seconds))
                returning expires_at
                """)
            .param("hash", ApiKey.sha256(token))
            .param("keyId", caller.keyId())
            .param("csrf", csrf)
            .param("seconds", (double) LIFETIME.toSeconds())
            .query(Instant.class)
            .single();
    return new Opened(token, new Session(caller.keyId(), csrf, expiresAt));
  }

  /** The live session of the request's cookie, if it has one. */
  public Optional<Session> find(HttpServletRequest request) {
    return token(request).flatMap(this::find);
  }

  private Optional<Session> find(String token) {
    return jdbc.sql(
            """
            select key_id, csrf_token, expires_at from ui_sessions
            where token_hash = :hash and expires_at > now()
            """)
        .param("hash", ApiKey.sha256(token))
        .query(
            (rs, row) ->
                new Session(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getObject(3, OffsetDateTime.class).toInstant()))
        .optional();
  }

  /** Ends the request's session, on every node at once. */
  public void close(HttpServletRequest request) {
    token(request)
        .ifPresent(
            token ->
                jdbc.sql("delete from ui_sessions where token_hash = :hash")
                    .param("hash", ApiKey.sha256(token))
                    .update());
  }

  /** The cookie that carries a session: HttpOnly, SameSite=Strict, Secure over TLS. */
  public static ResponseCookie cookie(String token, Duration maxAge, boolean secure) {
    return ResponseCookie.from(COOKIE, token)
        .httpOnly(true)
        .secure(secure)
        .sameSite("Strict")
        .path("/")
        .maxAge(maxAge)
        .build();
  }

  private static Optional<String> token(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return Optional.empty();
    }
    for (Cookie cookie : cookies) {
      if (COOKIE.equals(cookie.getName()) && !cookie.getValue().isBlank()) {
        return Optional.of(cookie.getValue());
      }
    }
    return Optional.empty();
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
