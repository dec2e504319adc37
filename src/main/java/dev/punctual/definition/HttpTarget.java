package dev.punctual.definition;

import java.time.Duration;
import java.util.Map;

/** An HTTP request: method, URL, headers (in order), an optional body, a timeout per attempt. */
public record HttpTarget(
    String method, String url, Map<String, String> headers, String body, Duration timeout)
    implements Target {
  public static final String DEFAULT_METHOD = "POST";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public HttpTarget {
    headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
  }

  @Override
  public TargetKind kind() {
    return TargetKind.HTTP;
  }
}
