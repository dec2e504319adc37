package dev.punctual.queue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Run statuses and triggers in SQL text, spelled once: a statement writes {@code {FAILED}}, {@code
 * {MANUAL}}, {@code {ACTIVE}} (the list of {@link RunStatus#ACTIVE}) or {@code {ONE_PER_FIRE_TIME}}
 * (the unique index's predicate) and {@link #of} puts in the literal. A name that is neither a
 * status nor a trigger fails when the statement is built, which is when its class loads, not when
 * it first runs.
 */
public final class RunSql {
  private static final Pattern TOKEN = Pattern.compile("\\{([A-Z_]+)}");

  private RunSql() {}

  /** {@code sql} with each {@code {NAME}} replaced by its SQL. */
  public static String of(String sql) {
    Matcher m = TOKEN.matcher(sql);
    StringBuilder out = new StringBuilder(sql.length());
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(literal(m.group(1))));
    }
    return m.appendTail(out).toString();
  }

  private static String literal(String name) {
    switch (name) {
      case "ACTIVE":
        return RunStatus.ACTIVE_SQL;
      case "ONE_PER_FIRE_TIME":
        return RunTrigger.ONE_PER_FIRE_TIME_SQL;
      default:
        break;
    }
    for (RunStatus s : RunStatus.values()) {
      if (s.name().equals(name)) {
        return s.sql();
      }
    }
    for (RunTrigger t : RunTrigger.values()) {
      if (t.name().equals(name)) {
        return t.sql();
      }
    }
    throw new IllegalArgumentException("{" + name + "} is no run status, trigger or set");
  }
}
