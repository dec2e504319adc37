package dev.punctual.db;

import dev.punctual.definition.IsoInstant;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;

/**
 * PostgreSQL arrays as statement parameters, for batched statements over {@code unnest}. One
 * statement with arrays replaces a round trip per row. Instants travel as ISO-8601 text (with
 * {@code Z}) and are cast to {@code timestamptz[]} in SQL, so no time zone setting can shift them
 * ({@link IsoInstant}, faster than the JDK's formatter on this hot path).
 *
 * <p>The values go in a Java array of the element type ({@code Long[]} for {@code bigint[]}, and so
 * on), never an {@code Object[]}: for typed arrays the driver sends PostgreSQL's binary array
 * format, for an {@code Object[]} it writes and quotes the text form of every element, a cost the
 * engine's profile showed. A null element is SQL NULL.
 */
public final class SqlArrays {
  private SqlArrays() {}

  public static <T> SqlTypeValue bigints(List<T> rows, Function<T, Long> column) {
    return array("bigint", Long[]::new, rows, column);
  }

  public static <T> SqlTypeValue ints(List<T> rows, Function<T, Integer> column) {
    return array("int", Integer[]::new, rows, column);
  }

  public static <T> SqlTypeValue doubles(List<T> rows, Function<T, Double> column) {
    return array("float8", Double[]::new, rows, column);
  }

  public static <T> SqlTypeValue booleans(List<T> rows, Function<T, Boolean> column) {
    return array("boolean", Boolean[]::new, rows, column);
  }

  public static <T> SqlTypeValue texts(List<T> rows, Function<T, String> column) {
    return array("text", String[]::new, rows, column);
  }

  /** Instants as a {@code text[]}, to be cast to {@code timestamptz[]} in the statement. */
  public static <T> SqlTypeValue instants(List<T> rows, Function<T, Instant> column) {
    return texts(
        rows,
        row -> {
          Instant instant = column.apply(row);
          return instant == null ? null : IsoInstant.format(instant);
        });
  }

  private static <T, V> SqlTypeValue array(
      String type, IntFunction<V[]> newArray, List<T> rows, Function<T, V> column) {
    V[] values = newArray.apply(rows.size());
    for (int i = 0; i < values.length; i++) {
      values[i] = column.apply(rows.get(i));
    }
    return new AbstractSqlTypeValue() {
      @Override
      protected Object createTypeValue(Connection con, int sqlType, String typeName)
          throws SQLException {
        return con.createArrayOf(type, values);
      }
    };
  }
}
