package dev.punctual.db;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Small conversions every feature's SQL needs, written once. */
public final class Sql {
  private Sql() {}

  /** PostgreSQL text cannot hold NUL: a value from outside is stored without it. */
  public static String stripNul(String s) {
    return s == null ? null : s.replace("\u0000", "");
  }

  /** A duration as the seconds {@code make_interval(secs => …)} takes, to the millisecond. */
  public static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** A {@code timestamptz} column as an instant; null stays null. */
  public static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /** A {@code timestamptz} column as an instant; null stays null. */
  public static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /**
   * The current signing secrets of the tenant in column {@code tenantId}, newest first,
   * space-separated ({@link #signingSecrets} reads them): a delivery's claim reads them in the
   * statement that claims it, so a delivery costs no round trip for its secrets.
   */
  public static String signingSecretsOf(String tenantId) {
    return """
        select string_agg(s.secret, ' ' order by s.id desc) from signing_secrets s
        where s.tenant_id = %s and (s.retires_at is null or s.retires_at > now())
        """
        .formatted(tenantId);
  }

  /** The secrets {@link #signingSecretsOf} selected, as a list. */
  public static List<String> signingSecrets(String spaceSeparated) {
    return spaceSeparated == null || spaceSeparated.isBlank()
        ? List.of()
        : List.of(spaceSeparated.split(" "));
  }
}
