package dev.punctual.run;

import dev.punctual.web.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * Which failed runs of a tenant a dead-letter list or a bulk replay is about: failed since {@code
 * since} and before {@code until} (either may be null), of one job or of all ({@code jobId} null).
 */
record FailedRunsQuery(Instant since, Instant until, Long jobId) {

  /** A range that holds no instant: a mistake worth a 400, not an empty answer. */
  boolean rangeIsEmpty() {
    return since != null && until != null && !until.isAfter(since);
  }

  /**
   * The position after the last run of a page: failed runs are listed most recently failed first,
   * by {@code (finished_at, id)}, so a cursor holds both.
   */
  record Cursor(Instant finishedAt, long id) {
    private static final String PREFIX = "failed:";

    String encode() {
      long micros = finishedAt.getEpochSecond() * 1_000_000L + finishedAt.getNano() / 1_000L;
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString((PREFIX + micros + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String cursor) {
      if (cursor == null || cursor.isEmpty()) {
        return null;
      }
      try {
        String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (text.startsWith(PREFIX)) {
          String[] parts = text.substring(PREFIX.length()).split(":", -1);
          if (parts.length == 2) {
            long micros = Long.parseLong(parts[0]);
            Instant at =
                Instant.ofEpochSecond(
                    Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
            return new Cursor(at, Long.parseLong(parts[1]));
          }
        }
      } catch (RuntimeException e) {
        // fall through: not base64, not numbers, or an instant out of range
      }
      throw ApiProblem.invalid("cursor", "is not a cursor returned by this API");
    }
  }
}
