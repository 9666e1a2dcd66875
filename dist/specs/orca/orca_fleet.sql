CREATE SCHEMA IF NOT EXISTS iryo;
CREATE TABLE IF NOT EXISTS iryo.orca_fleet_replica (
    replica uuid PRIMARY KEY,
    expires_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS iryo.orca_fleet_lease (
    tenant_id text PRIMARY KEY,
    owner uuid NOT NULL,
    epoch bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
-- What a webhook or command tenant's receiver acknowledged lately (uuids and times, no data),
-- written with its cursor in iryo.orca_cursor: a replica that takes the tenant over drops the
-- repeats of its catch-up, which starts a few minutes before the cursor. Rows older than an
-- hour before the tenant's cursor are deleted as new ones come.
CREATE TABLE IF NOT EXISTS iryo.orca_fleet_delivered (
    tenant_id text NOT NULL,
    uuid uuid NOT NULL,
    time timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, uuid)
);
CREATE INDEX IF NOT EXISTS orca_fleet_delivered_time ON iryo.orca_fleet_delivered (tenant_id, time);
