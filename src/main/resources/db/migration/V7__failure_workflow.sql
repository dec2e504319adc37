-- The failure workflow: every attempt on record, replays and backfills, auto-pause, run limits.

-- Every attempt of a run on record. A run's row already holds its latest attempt's outcome, so the
-- attempt that ends a run (the only attempt of most runs) is read from it, with the two columns
-- below; run_attempts keeps the attempts that were followed by another. The happy path thus writes
-- no row more than before. An attempt cut short by a node's death leaves no record (the next
-- attempt has the next number).
alter table runs add column attempt_started_at timestamptz;
alter table runs add column attempt_node text;
create table run_attempts (
    run_id           bigint      not null references runs (id) on delete cascade,
    number           integer     not null,
    started_at       timestamptz not null,
    duration_ms      bigint      not null,
    node             text        not null,
    result_code      integer,
    error            text,
    response_snippet text,
    retry_at         timestamptz,
    primary key (run_id, number)
);

-- A replay is a new run of the job, due now, linked to the run it replays (no foreign key: the
-- replayed run may be deleted by retention before its replay). A backfill run stands for one fire
-- time of the schedule in a past range, so it takes part in the one-run-per-fire-time rule.
alter table runs add column replay_of bigint;
alter table runs drop constraint runs_trigger_check;
alter table runs add constraint runs_trigger_check
    check (trigger in ('SCHEDULE', 'CATCH_UP', 'MANUAL', 'REPLAY', 'BACKFILL'));
drop index runs_one_per_fire_time;
create unique index runs_one_per_fire_time on runs (job_id, scheduled_for)
    where trigger in ('SCHEDULE', 'CATCH_UP', 'BACKFILL');

-- Dead letters: a tenant's failed runs, most recently failed first. Partial, so that only failed
-- runs pay for it.
create index runs_failed on runs (tenant_id, finished_at desc, id desc) where status = 'FAILED';

-- pause_after_failures: the job pauses itself after that many runs in a row FAILED
-- (consecutive_failures counts them; a success resets it), saying why in paused_reason.
-- max_runs: the job completes after that many runs of its schedule (scheduled_runs counts them).
alter table jobs add column pause_after_failures integer;
alter table jobs add column consecutive_failures integer not null default 0;
alter table jobs add column paused_reason text;
alter table jobs add column max_runs bigint;
alter table jobs add column scheduled_runs bigint not null default 0;

-- A bulk replay leaves out runs replayed already (a second call must not deliver them again).
create index runs_replay_of on runs (replay_of) where replay_of is not null;
