package dev.punctual.notification;

import dev.punctual.db.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/** The API's SQL on a tenant's notification endpoint and its events; scoped by tenant. */
@Repository
class NotificationRepository {
  private final JdbcClient jdbc;
  private final JsonMapper json;

  NotificationRepository(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  Optional<String> endpoint(long tenantId) {
    return jdbc.sql("select notification_url from tenants where id = :tenant")
        .param("tenant", tenantId)
        .query(String.class)
        .optional();
  }

  /** Sets (or with null, removes) the tenant's endpoint: events made from now on go there. */
  void setEndpoint(long tenantId, String url) {
    jdbc.sql("update tenants set notification_url = :url where id = :tenant")
        .param("url", url)
        .param("tenant", tenantId)
        .update();
  }

  /** The tenant's events newest first, before {@code beforeId} (null: from the newest). */
  List<EventView> events(long tenantId, String type, Long jobId, Long beforeId, int limit) {
    StringBuilder sql =
        new StringBuilder(
            """
            select id, type, occurred_at, job_id, run_id, data::text, status, url, attempts,
                   next_attempt_at, delivered_at, last_error
            from events where tenant_id = :tenant
            """);
    Map<String, Object> params = new HashMap<>();
    params.put("tenant", tenantId);
    params.put("limit", limit);
    if (type != null) {
      sql.append(" and type = :type");
      params.put("type", type);
    }
    if (jobId != null) {
      sql.append(" and job_id = :job");
      params.put("job", jobId);
    }
    if (beforeId != null) {
      sql.append(" and id < :before");
      params.put("before", beforeId);
    }
    sql.append(" order by id desc limit :limit");
    return jdbc.sql(sql.toString()).params(params).query(this::map).list();
  }

  private EventView map(ResultSet rs, int row) throws SQLException {
    Long runId = rs.getObject("run_id", Long.class);
    return new EventView(
        EventIds.format(rs.getLong("id")),
        rs.getString("type"),
        Sql.instant(rs, "occurred_at"),
        String.valueOf(rs.getLong("job_id")),
        runId == null ? null : String.valueOf(runId),
        json.readTree(rs.getString("data")),
        new EventView.Delivery(
            rs.getString("status"),
            rs.getString("url"),
            rs.getInt("attempts"),
            Sql.instant(rs, "next_attempt_at"),
            Sql.instant(rs, "delivered_at"),
            rs.getString("last_error")));
  }
}
