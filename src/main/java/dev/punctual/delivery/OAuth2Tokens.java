package dev.punctual.delivery;

import dev.punctual.definition.OAuth2Auth;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Access tokens of OAuth 2.0 client-credentials targets, cached per client (token URL, client id,
 * secret, scope, audience) until shortly before they expire: a tenth of their lifetime early, at
 * most a minute. Concurrent deliveries of one client share one token request (the future of the
 * request in flight is the cache entry); a failed request is not cached, so the next delivery asks
 * again. A target answering 401 drops the token it was sent, so the next delivery gets a new one.
 */
final class OAuth2Tokens {
  /** What a token request answered: the token, or why there is none. */
  record Token(String value, long expiresAtNanos) {}

  /** A token endpoint's answer: its status and body. */
  record Answer(int status, String body) {}

  static final class TokenException extends RuntimeException {
    TokenException(String message) {
      super(message);
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
  private static final Duration MAX_EARLY = Duration.ofMinutes(1);

  private final ConcurrentHashMap<String, CompletableFuture<Token>> tokens =
      new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  OAuth2Tokens(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /**
   * The client's token: the cached one while it is fresh, else the request in flight, else a new
   * request made with {@code post} (form body, HTTP Basic credentials).
   */
  CompletableFuture<Token> token(
      OAuth2Auth auth, Function<TokenRequest, CompletableFuture<Answer>> post) {
    String key = key(auth);
    CompletableFuture<Token> entry =
        tokens.compute(
            key,
            (k, current) -> {
              if (current != null && (!current.isDone() || fresh(current))) {
                return current;
              }
              return request(auth, post);
            });
    // A failed request leaves the cache, so the next delivery asks again.
    entry.whenComplete(
        (token, error) -> {
          if (error != null) {
            tokens.remove(key, entry);
          }
        });
    return entry;
  }

  /** The target refused this token (401): the next delivery gets another. */
  void refused(OAuth2Auth auth, String tokenValue) {
    tokens.computeIfPresent(
        key(auth),
        (k, current) ->
            current.isDone()
                    && !current.isCompletedExceptionally()
                    && current.join().value().equals(tokenValue)
                ? null
                : current);
  }

  /** A token request: where, and the form and Authorization header to send. */
  record TokenRequest(String url, String form, String authorization) {}

  private CompletableFuture<Token> request(
      OAuth2Auth auth, Function<TokenRequest, CompletableFuture<Answer>> post) {
    StringBuilder form = new StringBuilder("grant_type=client_credentials");
    if (auth.scope() != null) {
      form.append("&scope=").append(encode(auth.scope()));
    }
    if (auth.audience() != null) {
      form.append("&audience=").append(encode(auth.audience()));
    }
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (encode(auth.clientId()) + ":" + encode(auth.clientSecret()))
                    .getBytes(StandardCharsets.UTF_8));
    long asked = nanoTime.getAsLong();
    return post.apply(new TokenRequest(auth.tokenUrl(), form.toString(), "Basic " + basic))
        .thenApply(answer -> parse(answer, asked));
  }

  private static Token parse(Answer answer, long asked) {
    if (answer.status() < 200 || answer.status() >= 300) {
      throw new TokenException("token endpoint answered HTTP " + answer.status());
    }
    JsonNode body;
    try {
      body = JSON.readTree(answer.body());
    } catch (RuntimeException e) {
      throw new TokenException("token endpoint answered no JSON");
    }
    String token = body.path("access_token").stringValue(null);
    if (token == null || token.isBlank()) {
      throw new TokenException("token endpoint answered no access_token");
    }
    String type = body.path("token_type").stringValue("Bearer");
    if (!type.equalsIgnoreCase("Bearer")) {
      throw new TokenException("token endpoint answered a " + type + " token, not Bearer");
    }
    Duration lifetime =
        body.path("expires_in").isNumber()
            ? Duration.ofMillis((long) (body.path("expires_in").asDouble() * 1000))
            : DEFAULT_LIFETIME;
    Duration early = lifetime.dividedBy(10);
    if (early.compareTo(MAX_EARLY) > 0) {
      early = MAX_EARLY;
    }
    // Counted from when it was asked for: the answer's travel time eats into the lifetime too.
    return new Token(token, asked + lifetime.minus(early).toNanos());
  }

  private boolean fresh(CompletableFuture<Token> done) {
    return !done.isCompletedExceptionally()
        && done.join().expiresAtNanos() - nanoTime.getAsLong() > 0;
  }

  /** One entry per client; the secret hashed, so a changed secret asks for a new token. */
  private static String key(OAuth2Auth auth) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part :
          new String[] {
            auth.tokenUrl(), auth.clientId(), auth.clientSecret(), auth.scope(), auth.audience()
          }) {
        sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
