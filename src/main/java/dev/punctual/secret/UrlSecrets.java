package dev.punctual.secret;

import java.util.function.UnaryOperator;

/**
 * The secret of a URL's user info, as broker targets carry it: the password of {@code
 * scheme://user:password@host/}, or a lone token ({@code nats://token@host}). Stored sealed, it
 * sits in the URL in place of the clear one, with the colons of the sealed form percent-encoded
 * ({@code amqp://user:enc%3Av1%3A<key id>%3A<base64url>@host/}), so the stored URL stays a valid
 * URL with the same user, host, port and path. What is sealed is the secret exactly as written in
 * the URL (percent-encoding included), so opening gives back the URL the user sent, byte for byte.
 */
public final class UrlSecrets {
  private static final String SEALED_IN_URL = encode(SecretBox.PREFIX);

  private UrlSecrets() {}

  /**
   * A copy of {@code url} with its secret passed through {@code f}, which sees and returns either a
   * clear secret or a sealed value ({@link SecretBox#isSealed}); a URL without user info is
   * returned as it is.
   */
  public static String map(String url, UnaryOperator<String> f) {
    Span span = find(url);
    if (span == null) {
      return url;
    }
    String value = span.value(url);
    String mapped = f.apply(value);
    if (mapped.equals(value)) {
      return url;
    }
    String inUrl = SecretBox.isSealed(mapped) ? encode(mapped) : mapped;
    return url.substring(0, span.start()) + inUrl + url.substring(span.end());
  }

  /**
   * The secret of a URL's user info, as {@link #map} passes it on; {@code afterUser} tells a
   * password ({@code user:password@}) from a lone token ({@code token@}).
   */
  public record Secret(String value, boolean afterUser) {}

  /** The URL's secret; null when it has no user info or an empty secret. */
  public static Secret secretOf(String url) {
    Span span = find(url);
    return span == null ? null : new Secret(span.value(url), span.afterUser());
  }

  /** Where the secret sits in a URL: {@code url.substring(start, end)}, as written. */
  private record Span(int start, int end, boolean afterUser) {
    String value(String url) {
      String raw = url.substring(start, end);
      return raw.startsWith(SEALED_IN_URL) ? raw.replace("%3A", ":") : raw;
    }
  }

  private static Span find(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int start = scheme + 3;
    // The user info ends at the authority's last '@' (one in the path or query is not it).
    int authorityEnd = url.length();
    for (char c : new char[] {'/', '?', '#'}) {
      int i = url.indexOf(c, start);
      if (i >= 0 && i < authorityEnd) {
        authorityEnd = i;
      }
    }
    int at = url.lastIndexOf('@', authorityEnd - 1);
    if (at < start) {
      return null;
    }
    int colon = url.indexOf(':', start);
    boolean afterUser = colon >= 0 && colon < at;
    if (afterUser) {
      start = colon + 1; // user:password: the password
    }
    return start == at ? null : new Span(start, at, afterUser);
  }

  /** Whether the URL's secret is stored sealed. */
  public static boolean isSealed(String url) {
    return url != null && url.contains(SEALED_IN_URL);
  }

  // A sealed value's characters are the prefix's, a hex key id and base64url: only ':' needs it.
  private static String encode(String sealed) {
    return sealed.replace(":", "%3A");
  }
}
