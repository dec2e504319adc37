package dev.punctual.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;

/**
 * PostgreSQL arrays as statement parameters, for batched statements over {@code unnest}. One
 * statement with arrays replaces a round trip per row. Instants travel as ISO-8601 text (with
 * {@code Z}) and are cast to {@code timestamptz[]} in SQL, so no time zone setting can shift them.
 */
final class SqlArrays {
  private SqlArrays() {}

  static <T> SqlTypeValue of(String type, List<T> rows, Function<T, ?> column) {
    Object[] values = new Object[rows.size()];
    for (int i = 0; i < values.length; i++) {
      Object v = column.apply(rows.get(i));
      values[i] = v instanceof Instant instant ? instant.toString() : v;
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
