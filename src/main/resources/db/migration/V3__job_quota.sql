-- The per-tenant job quota counts jobs with a counter kept in the same transaction as every insert
-- and delete: counting a tenant's jobs at each create would cost a scan of its index.
alter table tenants add column job_count bigint not null default 0;

update tenants t set job_count = (select count(*) from jobs j where j.tenant_id = t.id);
