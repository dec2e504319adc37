package dev.punctual.delivery;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A broker's URL, parsed: {@code scheme://[user[:password]@]host[:port][/path]}. The user and
 * password are percent-decoded (a password may hold {@code @} or {@code :} encoded).
 */
public record BrokerUrl(
    String scheme, String user, String password, String host, int port, String path) {

  /**
   * @throws IllegalArgumentException with the reason, when {@code url} is not one of {@code
   *     schemes} with a host
   */
  public static BrokerUrl parse(String url, Set<String> schemes) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!schemes.contains(scheme)) {
      throw new IllegalArgumentException(
          "must be a " + String.join(" or ", new TreeSet<>(schemes)) + " URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("must have a host");
    }
    String user = null;
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new BrokerUrl(scheme, user, password, host, uri.getPort(), uri.getRawPath());
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The port, or {@code otherwise} when the URL has none. */
  public int portOr(int otherwise) {
    return port < 0 ? otherwise : port;
  }
}
