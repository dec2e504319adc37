package dev.punctual.notification;

/**
 * The SQL that records notification events, as fragments of the statements that record their causes
 * (docs/api.md, "Notifications"): an event exists exactly when its cause was recorded, and costs no
 * round trip of its own.
 */
public final class EventSql {
  private EventSql() {}

  /**
   * An {@code INSERT INTO events} of the rows of {@code source}, which has the columns {@code
   * tenant_id, type, job_id, run_id, data (jsonb), job_url}. An event goes to the job's endpoint,
   * else the tenant's; with neither it is only listed ({@code NOT_SENT}).
   */
  public static String insertFrom(String source) {
    return """
        insert into events (tenant_id, type, job_id, run_id, data, url, status, next_attempt_at)
        select s.tenant_id, s.type, s.job_id, s.run_id, s.data, u.url,
               case when u.url is null then 'NOT_SENT' else 'PENDING' end,
               case when u.url is null then null else now() end
        from (%s) s
        cross join lateral (
            select coalesce(s.job_url, (select t.notification_url from tenants t
                                        where t.id = s.tenant_id)) as url) u
        """
        .formatted(source);
  }

  /** An instant as the API shows it: RFC 3339 in UTC, to the microsecond. */
  public static String instant(String column) {
    return "to_char(%s at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')".formatted(column);
  }
}
