-- Notifications: events about a tenant's jobs and runs, delivered to the tenant's notification
-- endpoint (or the job's own), signed like deliveries, and listed by the API.

-- Where a tenant's events go (null: listed only); a job may name its own endpoint instead.
alter table tenants add column notification_url text;
alter table jobs add column notification_url text;

-- One row per event. Written by the statement that records its cause (a failed run's outcome, a
-- pause, a quarantine, a misfire), so an event exists exactly when its cause was recorded.
-- url is fixed when the event is made: a later change of endpoint does not re-route old events.
create table events (
    id              bigint generated always as identity primary key,
    tenant_id       bigint      not null references tenants (id) on delete cascade,
    type            text        not null
        check (type in ('run.failed', 'job.paused', 'job.misfired', 'job.broken')),
    job_id          bigint      not null,
    run_id          bigint,
    occurred_at     timestamptz not null default now(),
    data            jsonb       not null,
    url             text,
    status          text        not null
        check (status in ('PENDING', 'DELIVERING', 'DELIVERED', 'FAILED', 'NOT_SENT')),
    attempts        integer     not null default 0,
    next_attempt_at timestamptz,
    last_error      text,
    delivered_at    timestamptz,
    lease_owner     text,
    lease_until     timestamptz
);
-- GET /api/v1/events: a tenant's events newest first.
create index events_tenant on events (tenant_id, id desc);
-- The notifier's queue: events waiting for an attempt (or whose attempt's node died).
create index events_due on events (next_attempt_at) where status in ('PENDING', 'DELIVERING');
-- Retention deletes events oldest first.
create index events_occurred on events (occurred_at);
