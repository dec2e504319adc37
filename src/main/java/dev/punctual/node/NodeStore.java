package dev.punctual.node;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The {@code nodes} table: heartbeats, and who is alive. */
public final class NodeStore {
  private final JdbcClient jdbc;

  public NodeStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Records a heartbeat; returns the database's clock at that moment. */
  public Instant heartbeat(String nodeId, String roles) {
    return jdbc.sql(
            """
            insert into nodes (id, roles) values (:id, :roles)
            on conflict (id) do update set heartbeat_at = now(), roles = excluded.roles
            returning heartbeat_at
            """)
        .param("id", nodeId)
        .param("roles", roles)
        .query(Instant.class)
        .single();
  }

  /** Live nodes: all of them, those serving the API, those firing schedules. */
  public record Live(int all, int api, int schedulers) {}

  public Live liveNodes(Duration deadAfter) {
    return jdbc.sql(
            """
            select count(*),
                   count(*) filter (where ',' || roles || ',' like '%,api,%'),
                   count(*) filter (where ',' || roles || ',' like '%,scheduler,%')
            from nodes where heartbeat_at > now() - make_interval(secs => :dead)
            """)
        .param("dead", (double) deadAfter.toMillis() / 1000)
        .query((rs, row) -> new Live(rs.getInt(1), rs.getInt(2), rs.getInt(3)))
        .single();
  }

  /** A node as the admin sees it. */
  public record NodeInfo(String id, List<String> roles, Instant startedAt, Instant heartbeatAt) {}

  /** Every node that heartbeat within the last hour (older ones are forgotten), by id. */
  public List<NodeInfo> list() {
    return jdbc.sql("select id, roles, started_at, heartbeat_at from nodes order by id")
        .query(
            (rs, row) ->
                new NodeInfo(
                    rs.getString(1),
                    List.of(rs.getString(2).split(",")),
                    rs.getObject(3, OffsetDateTime.class).toInstant(),
                    rs.getObject(4, OffsetDateTime.class).toInstant()))
        .list();
  }

  /** Forgets nodes silent for an hour: their work was taken over long ago. */
  public void forgetLongDead() {
    jdbc.sql("delete from nodes where heartbeat_at < now() - interval '1 hour'").update();
  }

  public void remove(String nodeId) {
    jdbc.sql("delete from nodes where id = :id").param("id", nodeId).update();
  }

  /** The database's clock: it judges the heartbeats it wrote. */
  public Instant databaseNow() {
    return jdbc.sql("select now()").query(Instant.class).single();
  }
}
