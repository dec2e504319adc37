package dev.punctual.db;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The server settings of the embedded PostgreSQL. zonky's library starts {@code postgres} with
 * {@code -F -c synchronous_commit=off}, defaults meant for throwaway test databases: a power cut
 * can then lose acknowledged writes or corrupt the cluster. These settings come after those flags
 * on the command line, and the last one wins, so the embedded database is as durable as a server
 * with PostgreSQL's defaults. docs/operations.md ("The embedded database") explains each value.
 */
public final class EmbeddedServerSettings {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?");
  private static final Set<String> DURABILITY =
      Set.of("fsync", "synchronous_commit", "full_page_writes");

  /** PostgreSQL's spellings of a boolean false ({@code synchronous_commit=local} is durable). */
  private static final Set<String> OFF = Set.of("off", "false", "no", "0");

  private EmbeddedServerSettings() {}

  /**
   * The durable settings with the operator's own (from {@link #parse}) after them, so an operator's
   * value wins.
   */
  public static Map<String, String> withOperatorSettings(Map<String, String> operatorSettings) {
    Map<String, String> s = durable();
    s.putAll(operatorSettings);
    return s;
  }

  /**
   * The operator's settings ({@code PUNCTUAL_EMBEDDED_SETTINGS}) alone, in their order; blank gives
   * none: {@code name=value} pairs separated by {@code ;}, for instance {@code shared_buffers=1GB;
   * shared_preload_libraries=pg_stat_statements}. A value may contain commas (a list of libraries),
   * hence the semicolons.
   *
   * @throws IllegalArgumentException naming the entry that is not {@code name=value}
   */
  static Map<String, String> parse(String operatorSettings) {
    Map<String, String> parsed = new LinkedHashMap<>();
    if (operatorSettings == null || operatorSettings.isBlank()) {
      return parsed;
    }
    for (String entry : operatorSettings.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      String name = eq < 0 ? entry.trim() : entry.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : entry.substring(eq + 1).trim();
      if (eq < 0 || !NAME.matcher(name).matches() || value.isEmpty()) {
        throw new IllegalArgumentException(
            "PUNCTUAL_EMBEDDED_SETTINGS: '"
                + entry.trim()
                + "' is not name=value (entries are separated by ';')");
      }
      parsed.put(name, value);
    }
    return parsed;
  }

  /** The entries of {@code settings} that turn off one of the three that make commits durable. */
  static List<String> weakened(Map<String, String> settings) {
    return settings.entrySet().stream()
        .filter(e -> DURABILITY.contains(e.getKey()))
        .filter(e -> OFF.contains(e.getValue().toLowerCase(Locale.ROOT)))
        .map(e -> e.getKey() + "=" + e.getValue())
        .toList();
  }

  /** Setting name to value, in the order they are passed. */
  public static Map<String, String> durable() {
    Map<String, String> s = new LinkedHashMap<>();
    // Durability: every acknowledged commit is on disk, torn pages can be repaired after a crash.
    s.put("fsync", "on");
    s.put("synchronous_commit", "on");
    s.put("full_page_writes", "on");
    // Each node opens up to 10 (API) + 8 (engine) + 1 (LISTEN) connections; room for tools.
    s.put("max_connections", "200");
    // Sizing for a laptop or a small VM: the hot part of jobs and runs (indexes first) in
    // PostgreSQL's own cache, the rest in the OS page cache.
    s.put("shared_buffers", "256MB");
    // WAL: bursts of creates or fires (tens of thousands of rows in seconds) should not force a
    // checkpoint every few seconds, each followed by full-page images of every touched page.
    s.put("max_wal_size", "2GB");
    s.put("min_wal_size", "256MB");
    s.put("checkpoint_timeout", "15min");
    s.put("checkpoint_completion_target", "0.9");
    // runs is insert-then-update and trimmed by retention: vacuum and analyze it sooner than the
    // defaults (20% / 10% of the table) so its plans and visibility map stay current.
    s.put("autovacuum", "on");
    s.put("autovacuum_naptime", "15s");
    s.put("autovacuum_vacuum_scale_factor", "0.05");
    s.put("autovacuum_vacuum_insert_scale_factor", "0.05");
    s.put("autovacuum_analyze_scale_factor", "0.02");
    return s;
  }
}
