-- A job row the engine cannot read (a hand edit, a time zone a tzdata update removed, a value a
-- newer version wrote) is quarantined instead of failing every claim: broken_reason says why, and
-- next_fire_at is cleared so that no claim sees it again. A valid PUT or PATCH clears it.
alter table jobs add column broken_reason text;
create index jobs_broken on jobs (tenant_id) where broken_reason is not null;

-- The timeout of one attempt of the job's target, kept beside the target by every write, so that
-- the run claim can set a run's lease (timeout + margin) without reading inside the target's JSON.
alter table jobs add column attempt_timeout_ms bigint;
-- (A value that is not a plain ISO duration, in a row edited by hand, gets the default of 10 s.)
update jobs set attempt_timeout_ms =
    case when target ->> 'timeout' <> 'PT' and target ->> 'timeout' ~ '^PT([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?$'
         then (extract(epoch from (target ->> 'timeout')::interval) * 1000)::bigint
         else 10000 end;
alter table jobs alter column attempt_timeout_ms set not null;
alter table jobs alter column attempt_timeout_ms set default 10000;

-- An attempt's outcome is a code and a detail whatever the target's kind: the HTTP status of an
-- HTTP target (shown as the run's httpStatus).
alter table runs rename column http_status to result_code;
