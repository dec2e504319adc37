\set n random(1, 2000000000)
with j as (
  insert into jobs (tenant_id, name, schedule, target, retry, attempt_timeout_ms, overlap, misfire,
                    labels, enabled, completed, next_fire_at, created_at, updated_at)
  values (1, 'pgb-' || :client_id || '-' || :n, '{"cron":"0 9 * * *","timezone":"UTC"}',
          '{"type":"http","method":"POST","url":"https://svc.example.com/hook","headers":{},"body":null,"timeout":"PT10S"}',
          '{"maxAttempts":3,"initialBackoff":"PT1S","maxBackoff":"PT5M","multiplier":2.0}',
          10000, 'SKIP', 'FIRE_ONCE', '{}', true, false, now() + interval '1 day', now(), now())
  on conflict (tenant_id, name) do nothing
  returning id)
select id from j;
