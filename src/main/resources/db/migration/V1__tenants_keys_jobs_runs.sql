-- Punctual's schema. Every job query is scoped by tenant_id; ids are bigint identities shown to
-- clients as opaque strings.

create table tenants (
    id         bigint generated always as identity primary key,
    name       text        not null unique,
    created_at timestamptz not null default now()
);

-- Signing secrets of the Standard Webhooks signatures. A rotation adds a row and sets the old
-- one's retires_at; both sign until then (the security issue builds the rotation).
create table signing_secrets (
    id         bigint generated always as identity primary key,
    tenant_id  bigint      not null references tenants (id) on delete cascade,
    secret     text        not null,
    created_at timestamptz not null default now(),
    retires_at timestamptz
);
create index signing_secrets_tenant on signing_secrets (tenant_id);

-- API keys: the public id is part of the key, the secret part is stored only as a SHA-256 hash
-- (keys are 256 random bits, so a slow hash adds nothing). tenant_id is null for admin keys.
create table api_keys (
    id         text primary key,
    kind       text        not null check (kind in ('ADMIN', 'TENANT')),
    tenant_id  bigint references tenants (id) on delete cascade,
    key_hash   bytea       not null,
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    check ((kind = 'ADMIN') = (tenant_id is null))
);
create index api_keys_tenant on api_keys (tenant_id);

create table jobs (
    id            bigint generated always as identity primary key,
    tenant_id     bigint      not null references tenants (id) on delete cascade,
    name          text        not null,
    description   text,
    -- json, not jsonb: kept as written (normalized), in field order; never queried inside.
    schedule      json        not null,
    target        json        not null,
    retry         json        not null,
    overlap       text        not null check (overlap in ('SKIP', 'ALLOW')),
    misfire       text        not null check (misfire in ('FIRE_ONCE', 'SKIP', 'FIRE_ALL')),
    labels        jsonb       not null default '{}',
    enabled       boolean     not null default true,
    -- The schedule has no fire time left (a one-shot that fired, a cron past notAfter).
    completed     boolean     not null default false,
    -- The next fire time the engine owes; null when paused or completed.
    next_fire_at  timestamptz,
    -- Engine lease: which node has claimed the next fire, until when, and the fencing token that
    -- makes a write of a node that lost its lease a no-op.
    lease_owner   text,
    lease_until   timestamptz,
    fencing_token bigint      not null default 0,
    version       bigint      not null default 1,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    unique (tenant_id, name)
);
-- The engine's claim query: due jobs in fire-time order. Partial, so paused and completed jobs
-- cost nothing, however many there are.
create index jobs_due on jobs (next_fire_at) where next_fire_at is not null;
-- Listing a tenant's jobs newest first, with cursor pagination on id.
create index jobs_tenant_id on jobs (tenant_id, id desc);
-- ?label=key:value filters (labels @> '{"key":"value"}').
create index jobs_labels on jobs using gin (labels jsonb_path_ops);

-- One row per fire time of a job (or per manual trigger); also the delivery queue.
create table runs (
    id               bigint generated always as identity primary key,
    job_id           bigint      not null references jobs (id) on delete cascade,
    tenant_id        bigint      not null,
    scheduled_for    timestamptz not null,
    trigger          text        not null check (trigger in ('SCHEDULE', 'CATCH_UP', 'MANUAL')),
    status           text        not null
        check (status in ('PENDING', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'FAILED', 'SKIPPED')),
    attempts         integer     not null default 0,
    created_at       timestamptz not null default now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    duration_ms      bigint,
    http_status      integer,
    error            text,
    response_snippet text,
    next_attempt_at  timestamptz,
    lease_owner      text,
    lease_until      timestamptz
);
-- Guarantee 1 of DESIGN.md, enforced by the database: one scheduled run per job and fire time.
create unique index runs_one_per_fire_time on runs (job_id, scheduled_for)
    where trigger in ('SCHEDULE', 'CATCH_UP');
-- The delivery queue: runs waiting for an attempt.
create index runs_due on runs (next_attempt_at) where status in ('PENDING', 'RETRYING');
-- A job's runs newest first.
create index runs_job on runs (job_id, id desc);

-- Idempotency-Key of POST /api/v1/jobs: the first answer, replayed for the same key and body.
create table idempotency_keys (
    tenant_id       bigint      not null references tenants (id) on delete cascade,
    key             text        not null,
    request_hash    bytea       not null,
    response_status integer     not null,
    response_body   jsonb       not null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, key)
);
