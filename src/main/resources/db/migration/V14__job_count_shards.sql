-- The job quota's count, spread over 16 rows per tenant, so that one tenant's creates commit
-- together instead of one after the other.
--
-- V9 counts a create inside its COMMIT, but the count's row stays locked until that commit's WAL
-- flush has ended: the creates of one tenant still flushed one at a time. Measured with 32 clients
-- creating jobs for one tenant on the embedded database (wrk -c32, 15 s): 20,884 WAL fsyncs for
-- 20,458 creates (pg_stat_io), most busy backends waiting in Lock:transactionid. With the count
-- spread over shards, sessions lock different rows and their commits can share a flush. The
-- shard is the session's (its backend pid modulo 16): a pool's connections mostly fall on
-- different shards, and one session's creates never wait for each other anyway.
--
-- The count stays exact (a quota of N lets N jobs in, never N + 1, never refuses the Nth):
--   Fast path: a create adds 1 to its shard (locking that row until its commit), then reads its
--   tenant's count: its own increment and every committed one. The creates that have not
--   committed yet each hold a shard row, and not this one: at most 15 of them. So when
--   sum + 15 <= N, no set of commits can take the tenant past N, and the create goes on
--   without waiting for anyone. (Why 15 is enough: take the create whose check came last of all
--   those that commit; each of the others had added to its shard before its own, earlier, check,
--   so at that last check it had either committed, and was counted, or still held its shard.)
--   Exact path, near the quota: the increment is undone by a subtransaction's rollback, which
--   also releases its row lock; then the tenant's V9 row and every shard row are locked in order,
--   waiting for the creates and deletes in flight to end, and the sum is exact, as V9's was.
--   A create holds no shard while it waits for others in the exact path, and the exact path
--   locks in one order, so two creates cannot deadlock on the count.
-- Deletes subtract 1 from the deleting session's shard (a shard may go below zero; only the sum
-- means anything); a delete in flight is not seen by a fast path's sum, which only makes it
-- count one job too many for that moment.
--
-- The shards are a table of their own, beside tenant_job_counts, which keeps the count as it was
-- at this migration: a node of the previous version, still running during a rolling upgrade,
-- subtracts its deletes from that one row (`where tenant_id = ...`), which it could not do right
-- on sharded rows. A tenant's count is that row plus its shards.
-- Every tenant present gets that row (at 0 if it had none), so that such a node's deletes are
-- subtracted for every tenant of the upgrade's time; one created by a new node during the
-- upgrade has none, and a delete of its jobs by an old node is then not subtracted (its count
-- stays one too high: a place lost, never a job too many).
insert into tenant_job_counts (tenant_id, job_count)
select id, 0 from tenants
on conflict (tenant_id) do nothing;

create table tenant_job_count_shards (
    tenant_id bigint not null references tenants (id) on delete cascade,
    shard smallint not null,
    job_count bigint not null,
    primary key (tenant_id, shard)
);

-- The session's shard, for the create's trigger below and the node's delete (JobRepository).
create function job_count_shard() returns smallint
language sql stable parallel restricted
as $$ select (pg_backend_pid() % 16)::smallint $$;

-- A tenant's count: the row of V5/V9 and the shards (committed values, as the caller's snapshot sees
-- them).
create function tenant_job_count(tenant bigint) returns bigint
language sql stable
as $$
  select coalesce((select job_count from tenant_job_counts where tenant_id = tenant), 0)
       + coalesce((select sum(job_count) from tenant_job_count_shards where tenant_id = tenant), 0)
$$;

create or replace function count_new_job() returns trigger
language plpgsql as $$
declare
  max_jobs bigint := current_setting('punctual.max_jobs_per_tenant')::bigint;
  others constant bigint := 15; -- shards other than the session's
  mine smallint := job_count_shard();
  total bigint;
begin
  begin
    insert into tenant_job_count_shards as c (tenant_id, shard, job_count)
    values (new.tenant_id, mine, 1)
    on conflict (tenant_id, shard) do update set job_count = c.job_count + 1;
    if max_jobs = 0 then
      return null;
    end if;
    total := tenant_job_count(new.tenant_id);
    if total + others <= max_jobs then
      return null;
    end if;
    raise exception using errcode = 'PJ002'; -- near the quota: undo the increment, count exactly
  exception when sqlstate 'PJ002' then
    null;
  end;
  insert into tenant_job_count_shards (tenant_id, shard, job_count)
  select new.tenant_id, s, 0 from generate_series(0, others) s
  on conflict do nothing;
  perform from tenant_job_counts where tenant_id = new.tenant_id for update;
  perform from tenant_job_count_shards where tenant_id = new.tenant_id order by shard for update;
  total := tenant_job_count(new.tenant_id);
  if total >= max_jobs then
    raise exception using errcode = 'PJ001',
      message = format('tenant %s holds %s jobs, its quota', new.tenant_id, max_jobs);
  end if;
  update tenant_job_count_shards set job_count = job_count + 1
  where tenant_id = new.tenant_id and shard = mine;
  return null;
end $$;
