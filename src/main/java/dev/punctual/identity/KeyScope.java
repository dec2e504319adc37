package dev.punctual.identity;

import java.util.Locale;
import java.util.Optional;

/**
 * What a tenant key may do. {@code READ} keys may read (GET, HEAD) and preview schedules, and get
 * 403 on every change; {@code WRITE} keys may do everything their tenant may. Written in lower case
 * in the API ({@code "read"}, {@code "write"}), in upper case in the database.
 */
public enum KeyScope {
  READ,
  WRITE;

  /** The API's spelling. */
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<KeyScope> fromJson(String text) {
    for (KeyScope scope : values()) {
      if (scope.json().equals(text)) {
        return Optional.of(scope);
      }
    }
    return Optional.empty();
  }
}
