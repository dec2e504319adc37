-- The audit log: every change made through the API, written by the change's own transaction (or
-- statement), so there is no change without its entry and no entry without its change.
-- tenant_id is the tenant the change is about (null for none); no foreign key: an entry must
-- never block or be blocked by its subject. key_id is the key's public id (or PUNCTUAL_ADMIN_KEY
-- for the configured admin key). client_address is the TCP peer (a load balancer, behind one);
-- forwarded_for is the X-Forwarded-For header as received, unverified.
create table audit_log (
    id             bigint generated always as identity primary key,
    at             timestamptz not null default now(),
    tenant_id      bigint,
    actor_kind     text        not null check (actor_kind in ('ADMIN', 'TENANT')),
    key_id         text        not null,
    action         text        not null,
    object_type    text        not null,
    object_id      text,
    detail         text,
    client_address text,
    forwarded_for  text
);
-- A tenant's page, newest first; the admin's pages use the primary key.
create index audit_log_tenant on audit_log (tenant_id, id);
-- Retention deletes by age; rows arrive in time order, so a BRIN index is enough and tiny.
create index audit_log_at on audit_log using brin (at);
