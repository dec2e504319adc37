package dev.punctual.job;

/**
 * {@code If-Match} against a job's version. The ETag of a job is its version in quotes ({@code
 * "3"}); weak tags and bare numbers are accepted too, {@code *} matches any version, and a list
 * matches if any entry does. A tag that is not a version matches nothing (412).
 */
final class IfMatch {
  private IfMatch() {}

  static boolean matches(String header, long version) {
    if (header == null || header.isBlank()) {
      return true;
    }
    for (String tag : header.split(",")) {
      String t = tag.trim();
      if (t.equals("*")) {
        return true;
      }
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
        t = t.substring(1, t.length() - 1);
      }
      if (t.equals(String.valueOf(version))) {
        return true;
      }
    }
    return false;
  }

  static String etag(long version) {
    return "\"" + version + "\"";
  }
}
