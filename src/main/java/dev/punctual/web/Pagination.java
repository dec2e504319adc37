package dev.punctual.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Cursor and page-size rules of the list endpoints (newest first, by id). */
public final class Pagination {
  private Pagination() {}

  /** {@code ?limit=}: 1-500, default 50. */
  public static int limit(String limit) {
    if (limit == null) {
      return 50;
    }
    try {
      int n = Integer.parseInt(limit);
      if (n >= 1 && n <= 500) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ApiProblem.invalid("limit", "must be an integer from 1 to 500");
  }

  /** Cursors are opaque: the base64url of the last id shown. */
  public static String encodeCursor(long lastId) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("id:" + lastId).getBytes(StandardCharsets.UTF_8));
  }

  public static Long decodeCursor(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return null;
    }
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (text.startsWith("id:")) {
        return Long.parseLong(text.substring(3));
      }
    } catch (IllegalArgumentException e) {
      // fall through: not base64, or not a number
    }
    throw ApiProblem.invalid("cursor", "is not a cursor returned by this API");
  }

  /** Ids are opaque to clients; one that is not ours cannot exist, so it is a 404. */
  public static long parseId(String id, String what) {
    try {
      long value = Long.parseLong(id);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ApiProblem.notFound("No " + what + " " + id);
  }
}
