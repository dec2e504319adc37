-- The engine: nodes that heartbeat, and the indexes of its hot queries.

-- One row per running node. Work (claimed jobs, runs being delivered) whose owner's heartbeat is
-- older than the dead-node limit is taken over by the others.
create table nodes (
    id           text primary key,
    roles        text        not null,
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now()
);

-- Overlap SKIP asks "does this job have a run still pending, running or retrying?" at each fire.
create index runs_active on runs (job_id) where status in ('PENDING', 'RUNNING', 'RETRYING');

-- Runs being delivered, found by owner at shutdown and by takeover when the owner died.
create index runs_running on runs (lease_owner) where status = 'RUNNING';

-- The delivery queue includes RUNNING runs, so that those of a dead node are found again.
drop index runs_due;
create index runs_due on runs (next_attempt_at) where status in ('PENDING', 'RETRYING', 'RUNNING');

-- Retention deletes finished runs oldest first.
create index runs_finished on runs (finished_at) where finished_at is not null;
