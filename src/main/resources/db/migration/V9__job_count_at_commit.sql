-- The job quota is counted at commit time instead of inside the create's transaction.
--
-- The count's upsert locks the tenant's row of tenant_job_counts until the transaction ends. Done
-- as a statement of the create, that lock was held across the round trip back to the node, the
-- node's COMMIT and the WAL flush: with durable commits and 32 concurrent clients of one tenant,
-- creates waited on that lock most of the time (pg_stat_activity: Lock:transactionid on
-- tenant_job_counts) and one tenant got 260-310 creates a second on 2 cores (bench/embedded-api.sh,
-- 32 connections; 480-520 with this change, in the same run). A deferred
-- constraint trigger runs the same upsert inside COMMIT, so the lock is held for the flush only,
-- and the count stays exact: a create past the quota fails its commit (SQLSTATE PJ001), which the
-- API answers 422.
--
-- Only sessions that set punctual.max_jobs_per_tenant (the API's pool, 0 meaning no limit) count:
-- tools and benches inserting rows directly are left alone, as before.
create function count_new_job() returns trigger
language plpgsql as $$
declare
  max_jobs bigint := current_setting('punctual.max_jobs_per_tenant')::bigint;
begin
  insert into tenant_job_counts as c (tenant_id, job_count) values (new.tenant_id, 1)
  on conflict (tenant_id) do update set job_count = c.job_count + 1
  where max_jobs = 0 or c.job_count < max_jobs;
  if not found then
    raise exception using errcode = 'PJ001',
      message = format('tenant %s holds %s jobs, its quota', new.tenant_id, max_jobs);
  end if;
  return null;
end $$;

create constraint trigger jobs_count_new after insert on jobs
deferrable initially deferred
for each row
when (coalesce(current_setting('punctual.max_jobs_per_tenant', true), '') <> '')
execute function count_new_job();
