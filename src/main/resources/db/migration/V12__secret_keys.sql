-- The ids (never the keys) of the secret keys that seal signing secrets and secret header values,
-- in the order they came into use. A node must hold the newest one to start: two nodes with
-- different keys on one database (each generated its own) would otherwise seal secrets the other
-- cannot open. The node whose current key is the newest re-seals what is sealed under older keys
-- (or not sealed: rows written before V12) after a rotation.
create table secret_keys (
    seq      bigint generated always as identity primary key,
    id       text        not null unique,
    added_at timestamptz not null default now()
);
