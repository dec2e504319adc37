package dev.punctual.definition;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP request: method, URL, headers (in order), an optional body, a timeout per attempt, and an
 * optional authentication ({@code auth}: null, or OAuth 2.0 client credentials).
 */
public record HttpTarget(
    String method,
    String url,
    Map<String, String> headers,
    String body,
    Duration timeout,
    OAuth2Auth auth)
    implements Target {
  public static final String DEFAULT_METHOD = "POST";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public HttpTarget {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  public HttpTarget(
      String method, String url, Map<String, String> headers, String body, Duration timeout) {
    this(method, url, headers, body, timeout, null);
  }

  @Override
  public TargetKind kind() {
    return TargetKind.HTTP;
  }
}
