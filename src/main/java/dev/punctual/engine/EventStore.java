package dev.punctual.engine;

import dev.punctual.db.Sql;
import dev.punctual.db.SqlArrays;
import dev.punctual.notification.EventSql;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The notifier's SQL on {@code events}: the table is its queue, like {@code runs} is the delivery
 * stage's. An attempt's outcome is fenced by owner and attempt number.
 */
final class EventStore {
  private final JdbcClient jdbc;

  EventStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** An event this node is sending: attempt {@code attempt}, with its Standard Webhooks body. */
  record OwnedEvent(
      long id, long tenantId, String url, String body, int attempt, List<String> secrets) {}

  /**
   * Claims up to {@code batch} events due, at most {@code tenantCap} of one tenant counting those
   * it has in flight here ({@code inFlight}), leaving out those bound for the {@code closedUrls}
   * (endpoints failing lately: their events wait instead of spending attempts). The candidates are
   * the first 1,000 due, so a large backlog costs a bounded read.
   */
  List<OwnedEvent> claim(
      String nodeId,
      int batch,
      Duration lease,
      int tenantCap,
      Map<Long, Integer> inFlight,
      List<String> closedUrls) {
    List<Map.Entry<Long, Integer>> used = new ArrayList<>(inFlight.entrySet());
    return jdbc.sql(
            """
            with candidates as (
                select e.id, e.tenant_id, e.next_attempt_at from events e
                where e.next_attempt_at <= now()
                  and e.status in ('PENDING', 'DELIVERING')
                  and (e.status = 'PENDING' or e.lease_until < now())
                  and e.url <> all(:closed::text[])
                order by e.next_attempt_at
                limit 1000
            ),
            ranked as (
                select c.id, c.next_attempt_at,
                       row_number() over (partition by c.tenant_id order by c.next_attempt_at, c.id)
                       + coalesce(u.used, 0) as n
                from candidates c
                left join unnest(:tenants::bigint[], :used::int[]) as u(tenant_id, used)
                       on u.tenant_id = c.tenant_id
            ),
            due as (
                select e.id from events e join ranked r on r.id = e.id
                where r.n <= :cap
                  and e.status in ('PENDING', 'DELIVERING')
                  and (e.status = 'PENDING' or e.lease_until < now())
                order by r.next_attempt_at
                limit :batch
                for update of e skip locked
            )
            update events e
            set status = 'DELIVERING', attempts = e.attempts + 1, lease_owner = :node,
                lease_until = now() + make_interval(secs => :lease)
            from due
            where e.id = due.id
            returning e.id, e.tenant_id, e.url,
                      jsonb_build_object('type', e.type, 'timestamp', %s, 'data', e.data)::text,
                      e.attempts, (%s)
            """
                .formatted(EventSql.instant("e.occurred_at"), Sql.signingSecretsOf("e.tenant_id")))
        .param("node", nodeId)
        .param("batch", batch)
        .param("lease", Sql.seconds(lease))
        .param("cap", tenantCap)
        .param("tenants", SqlArrays.bigints(used, Map.Entry::getKey))
        .param("used", SqlArrays.ints(used, Map.Entry::getValue))
        .param("closed", SqlArrays.texts(closedUrls, url -> url))
        .query(
            (rs, row) ->
                new OwnedEvent(
                    rs.getLong(1),
                    rs.getLong(2),
                    rs.getString(3),
                    rs.getString(4),
                    rs.getInt(5),
                    Sql.signingSecrets(rs.getString(6))))
        .list();
  }

  /** Delivered: the endpoint answered 2xx. */
  void delivered(String nodeId, OwnedEvent event) {
    jdbc.sql(
            """
            update events set status = 'DELIVERED', delivered_at = now(), last_error = null,
                lease_owner = null, lease_until = null, next_attempt_at = null
            where id = :id and lease_owner = :node and attempts = :attempt
            """)
        .param("id", event.id())
        .param("node", nodeId)
        .param("attempt", event.attempt())
        .update();
  }

  /** Failed: again after {@code retryIn}, or for good ({@code retryIn} null). */
  void failed(String nodeId, OwnedEvent event, String error, Duration retryIn) {
    jdbc.sql(
            """
            update events
            set status = case when :retry::float8 is null then 'FAILED' else 'PENDING' end,
                next_attempt_at = case when :retry::float8 is null then null
                                       else now() + make_interval(secs => :retry::float8) end,
                last_error = :error, lease_owner = null, lease_until = null
            where id = :id and lease_owner = :node and attempts = :attempt
            """)
        .param("id", event.id())
        .param("node", nodeId)
        .param("attempt", event.attempt())
        .param("error", Sql.stripNul(error))
        .param("retry", retryIn == null ? null : Sql.seconds(retryIn))
        .update();
  }

  /**
   * Shutdown: the events this node is still sending (it sends every event it claims at once) end
   * their lease now, their attempt counted, so that another node sends them again at once as the
   * next attempt, as it would a dead node's.
   */
  int handBack(String nodeId) {
    return jdbc.sql(
            """
            update events set lease_until = now()
            where lease_owner = :node and status = 'DELIVERING'
            """)
        .param("node", nodeId)
        .update();
  }

  /**
   * Events still undelivered after {@code maxAge} (their endpoint down all that time) fail for
   * good: a dead endpoint does not keep work waiting forever.
   */
  int expire(Duration maxAge) {
    return jdbc.sql(
            """
            update events set status = 'FAILED', next_attempt_at = null, lease_owner = null,
                lease_until = null,
                last_error = coalesce(last_error || '; ', '') || 'not delivered within '
                             || :hours || ' h'
            where status = 'PENDING' and occurred_at < now() - make_interval(secs => :age)
            """)
        .param("age", Sql.seconds(maxAge))
        .param("hours", maxAge.toHours())
        .update();
  }

  /** Deletes up to {@code batch} events older than {@code age}; returns how many. */
  int deleteOlderThan(Duration age, int batch) {
    return jdbc.sql(
            """
            delete from events where id in (
                select id from events
                where occurred_at < now() - make_interval(secs => :age)
                order by occurred_at
                limit :batch)
            """)
        .param("age", Sql.seconds(age))
        .param("batch", batch)
        .update();
  }
}
