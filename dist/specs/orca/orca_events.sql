CREATE SCHEMA IF NOT EXISTS iryo;
CREATE TABLE IF NOT EXISTS iryo.schema_version (
    component text PRIMARY KEY,
    version integer NOT NULL,
    installed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS iryo.orca_events (
    tenant_id text NOT NULL,
    uuid uuid NOT NULL,
    id bigint NOT NULL,
    event text NOT NULL,
    orca_user text NOT NULL,
    time timestamptz NOT NULL,
    data jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, uuid)
);
CREATE TABLE IF NOT EXISTS iryo.orca_cursor (
    tenant_id text PRIMARY KEY,
    last_uuid uuid,
    last_time timestamptz,
    covered_until timestamptz
);
INSERT INTO iryo.schema_version (component, version) VALUES ('orca_events', 1)
    ON CONFLICT (component) DO NOTHING;
