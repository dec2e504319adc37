package dev.punctual.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL location as JDBC wants it. Accepts what platforms hand out ({@code
 * postgres://user:pass@host:5432/db?sslmode=require}, also {@code postgresql://}) and plain JDBC
 * URLs ({@code jdbc:postgresql://host/db?user=...}), whose credentials stay in the URL.
 */
public record DatabaseUrl(String jdbcUrl, String username, String password) {

  static DatabaseUrl parse(String url) {
    String trimmed = url.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new DatabaseUrl(trimmed, null, null);
    }
    if (!trimmed.startsWith("postgres://") && !trimmed.startsWith("postgresql://")) {
      throw new IllegalArgumentException(
          "DATABASE_URL must start with postgres://, postgresql:// or jdbc:postgresql:");
    }
    try {
      URI uri = new URI(trimmed);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("DATABASE_URL has no host");
      }
      String username = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        username = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : null;
      }
      int port = uri.getPort() == -1 ? 5432 : uri.getPort();
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      return new DatabaseUrl(
          "jdbc:postgresql://" + uri.getHost() + ":" + port + path + query, username, password);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("DATABASE_URL is not a valid URL: " + e.getReason());
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "DatabaseUrl[" + jdbcUrl + ", user=" + username + "]"; // never the password
  }
}
