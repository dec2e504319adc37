-- Scoped keys: a tenant key is READ (safe methods and the schedule preview only) or WRITE (what
-- every key could do before, hence the default), may expire, and records when it was last used
-- (to within a minute: each node writes it at most once a minute per key). Adding columns with
-- constant defaults rewrites nothing.
alter table api_keys
    add column scope        text not null default 'WRITE' check (scope in ('READ', 'WRITE')),
    add column expires_at   timestamptz,
    add column last_used_at timestamptz,
    add check (kind = 'TENANT' or (scope = 'WRITE' and expires_at is null));
