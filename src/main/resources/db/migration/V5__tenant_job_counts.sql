-- The job quota's counter leaves the tenants row for a table of its own. Every job insert takes a
-- KEY SHARE lock on its tenant's row (the foreign key), and the counter's UPDATE of that same row
-- made PostgreSQL build a new multixact of all the lockers at each create: with 32 concurrent
-- creates of one tenant, 1.5 ms per insert and 9 ms waiting per count (bench/api-wrk.sh). No
-- foreign key points at this table, so only the count itself is serialized, for a commit's time.
create table tenant_job_counts (
    tenant_id bigint primary key references tenants (id) on delete cascade,
    job_count bigint not null
);

insert into tenant_job_counts (tenant_id, job_count)
select id, job_count from tenants where job_count <> 0;

alter table tenants drop column job_count;
