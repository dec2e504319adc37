-- The dashboard (/ui): its sign-in sessions, and the run counts its overview reads.

-- A session of the dashboard: signed in with an API key, it acts as that key (revoking or expiring
-- the key ends it). The cookie holds a random token; only its SHA-256 is kept, so a copy of the
-- table opens no session. Kept in the database, not in a node's memory, so that any node behind
-- the load balancer serves it and signing out ends it everywhere.
create table ui_sessions (
    token_hash bytea       primary key,
    key_id     text        not null,
    csrf_token text        not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null
);
create index ui_sessions_expires on ui_sessions (expires_at);

-- Runs finished per tenant and minute, by outcome, with the lag of the schedule's fires as a
-- histogram (lag_counts[i]: fires whose start was late by less than the i-th bound of
-- overview.RunStats.LAG_BOUNDS_MS, the last one unbounded). Written by every node's RunStats once
-- a minute is over (and 30 s more, for outcomes still committing), read by the overview: a day of
-- a tenant is 1,440 rows whatever its runs, and firing and delivering pay nothing for it.
create table run_stats (
    tenant_id    bigint      not null,
    minute       timestamptz not null,
    succeeded    bigint      not null,
    failed       bigint      not null,
    skipped      bigint      not null,
    lag_counts   bigint[]    not null,
    primary key (tenant_id, minute)
);
-- How far run_stats is written: runs finished before this instant are counted there; the
-- overview counts those after it from runs. One row; nodes take turns by locking it.
create table run_stats_progress (
    id           integer     primary key check (id = 1),
    counted_until timestamptz not null
);
insert into run_stats_progress (id, counted_until)
values (1, date_bin(interval '1 minute', now() - interval '1 day', timestamptz 'epoch'));
