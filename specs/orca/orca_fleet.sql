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
