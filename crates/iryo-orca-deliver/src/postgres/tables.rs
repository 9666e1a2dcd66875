//! The tables created once per database, and a tenant's cursor read from them.

use chrono::{DateTime, FixedOffset};
use iryo_orca::live::{Acked, Cursor};
use tokio_postgres::Client;
use uuid::Uuid;

use super::{PostgresError, SCHEMA_VERSION, TABLES, database};

/// ORCA's wall clock: the cursor's times are handed back to the feed in JST.
const JST_SECONDS: i32 = 9 * 3600;

/// Creates the tables when missing and reads `tenant_id`'s cursor (a tenant seen for the first
/// time is covered from now on), as [`PostgresSink::connect`](super::PostgresSink::connect) does.
pub async fn prepare_tenant(client: &mut Client, tenant_id: &str) -> Result<Cursor, PostgresError> {
    prepare(client, tenant_id).await
}

pub(super) async fn prepare(client: &mut Client, tenant_id: &str) -> Result<Cursor, PostgresError> {
    let failed = |e: tokio_postgres::Error| PostgresError::Database(database(&e));
    let tx = client.transaction().await.map_err(failed)?;
    // Two watchers starting at once: one creates, the other waits and finds the tables.
    tx.batch_execute("SELECT pg_advisory_xact_lock(hashtext('iryo.orca_events'))")
        .await
        .map_err(failed)?;
    tx.batch_execute(TABLES).await.map_err(failed)?;
    let version: i32 = tx
        .query_one(
            "SELECT version FROM iryo.schema_version WHERE component = 'orca_events'",
            &[],
        )
        .await
        .map_err(failed)?
        .get(0);
    if version > SCHEMA_VERSION {
        return Err(PostgresError::NewerSchema(version));
    }
    let cursor = load_cursor(&tx, tenant_id).await?;
    tx.commit().await.map_err(failed)?;
    Ok(cursor)
}

/// Reads `tenant_id`'s cursor from tables that exist (a tenant seen for the first time is covered
/// from now on): the per-tenant half of [`prepare_tenant`], for callers that created the tables
/// once and start many tenants.
pub async fn load_cursor(
    client: &impl tokio_postgres::GenericClient,
    tenant_id: &str,
) -> Result<Cursor, PostgresError> {
    let failed = |e: tokio_postgres::Error| PostgresError::Database(database(&e));
    // A tenant seen for the first time is covered from now on (the feed's first start).
    client
        .execute(
            "INSERT INTO iryo.orca_cursor (tenant_id, covered_until) VALUES ($1, now())
         ON CONFLICT (tenant_id) DO NOTHING",
            &[&tenant_id],
        )
        .await
        .map_err(failed)?;
    let row = client
        .query_one(
            "SELECT last_uuid, last_time, covered_until FROM iryo.orca_cursor WHERE tenant_id = $1",
            &[&tenant_id],
        )
        .await
        .map_err(failed)?;
    let jst = FixedOffset::east_opt(JST_SECONDS).expect("+09:00 is a valid offset");
    let in_jst = |t: DateTime<chrono::Utc>| t.with_timezone(&jst);
    let last = match (
        row.get::<_, Option<Uuid>>(0),
        row.get::<_, Option<DateTime<chrono::Utc>>>(1),
    ) {
        (Some(uuid), Some(time)) => Some(Acked {
            uuid,
            time: in_jst(time),
        }),
        _ => None,
    };
    Ok(Cursor {
        last,
        covered_until: row.get::<_, Option<DateTime<chrono::Utc>>>(2).map(in_jst),
    })
}
