//! Ownership of tenants through lease rows with a heartbeat, in the fleet's PostgreSQL.
//!
//! Why rows rather than `pg_try_advisory_lock`: a session lock lasts as long as the server thinks
//! the session lives, so a replica cut off by the network keeps its tenants until the server's TCP
//! keepalive gives up (minutes, not ours to set on a vendor's server), and a pooler in transaction
//! mode breaks session locks. A lease row expires by the server's clock after [`TTL`] whatever the
//! network does, a replica that cannot renew knows when its lease ends by its own clock, and the
//! same row fences the writes: the transaction that stores a tenant's events first checks, and
//! share-locks, that this replica still holds the lease.

use std::time::{Duration, Instant};

use iryo_orca_deliver::{SinkFailure, Statements, TenantWriter};
use tokio_postgres::Client;
use uuid::Uuid;

use crate::tenant::Shared;

/// A lease lasts this long after its last renewal (server clock).
pub const TTL: Duration = Duration::from_secs(4);
/// Renewals, acquisitions and releases happen this often.
pub const HEARTBEAT: Duration = Duration::from_millis(1000);
/// A replica stops a tenant this long before its own view of the lease ends.
pub const MARGIN: Duration = Duration::from_millis(1000);

/// The fleet's tables (leases, replicas, what webhook and command receivers acknowledged), exactly
/// as published in `specs/orca/orca_fleet.sql` (generated from it by `cargo xtask regenerate`).
pub const TABLES: &str = crate::generated::ORCA_FLEET_SQL;

/// Run first in every transaction that stores a tenant's events (`$1` tenant, `$2` replica): no
/// row, no write. `FOR SHARE` makes a takeover wait for a write that passed the check.
pub const FENCE: &str = "SELECT 1 FROM iryo.orca_fleet_lease
WHERE tenant_id = $1 AND owner = $2 AND expires_at > clock_timestamp() FOR SHARE";

const REGISTER: &str = "INSERT INTO iryo.orca_fleet_replica (replica, expires_at)
VALUES ($1, clock_timestamp() + make_interval(secs => $2))
ON CONFLICT (replica) DO UPDATE SET expires_at = EXCLUDED.expires_at";

const LIVE_REPLICAS: &str =
    "SELECT count(*) FROM iryo.orca_fleet_replica WHERE expires_at > clock_timestamp()";

const RENEW: &str = "UPDATE iryo.orca_fleet_lease
SET expires_at = clock_timestamp() + make_interval(secs => $2)
WHERE owner = $1 AND expires_at > clock_timestamp() RETURNING tenant_id";

const FREE: &str = "SELECT t FROM unnest($1::text[]) AS t
LEFT JOIN iryo.orca_fleet_lease l ON l.tenant_id = t
WHERE l.tenant_id IS NULL OR l.expires_at <= clock_timestamp()
ORDER BY random() LIMIT $2";

/// Rows are taken in one order (`ORDER BY t`), whatever order `FREE` chose them in: two replicas
/// taking the same rows in different orders would wait on each other, and with `lock_timeout`
/// both would give up, heartbeat after heartbeat.
const TAKE: &str = "INSERT INTO iryo.orca_fleet_lease (tenant_id, owner, epoch, expires_at)
SELECT t, $2, 1, clock_timestamp() + make_interval(secs => $3) FROM unnest($1::text[]) AS t ORDER BY t
ON CONFLICT (tenant_id) DO UPDATE
SET owner = EXCLUDED.owner, epoch = iryo.orca_fleet_lease.epoch + 1, expires_at = EXCLUDED.expires_at
WHERE iryo.orca_fleet_lease.expires_at <= clock_timestamp()
RETURNING tenant_id";

const RELEASE: &str =
    "DELETE FROM iryo.orca_fleet_lease WHERE owner = $1 AND tenant_id = ANY($2::text[])";

/// A lease row locked by a transaction of another replica (one cut off mid-write holds it until
/// the server ends its session) makes a take wait: wait briefly and try again at the next
/// heartbeat, so this replica's own renewals are never queued behind it.
const LOCK_TIMEOUT: &str = "SET lock_timeout = '500ms'";

const LEAVE: &str = "DELETE FROM iryo.orca_fleet_replica WHERE replica = $1";

/// What one renewal found.
#[derive(Debug)]
pub struct Renewal {
    /// Replicas alive now, this one included.
    pub replicas: usize,
    /// Tenants this replica holds.
    pub held: Vec<String>,
    /// This replica's own view of when they end: the renewal's start plus [`TTL`] (the server
    /// set its expiry later than that start, so this is never later than the server's).
    pub valid_until: Instant,
}

/// One replica's side of the leases, on a session of its own.
pub struct Leases {
    client: Client,
    replica: Uuid,
}

iryo_runtime::debug_fields!(Leases { replica });

fn ttl_seconds() -> f64 {
    TTL.as_secs_f64()
}

impl Leases {
    /// Creates the tables when missing.
    pub async fn new(client: Client, replica: Uuid) -> Result<Leases, tokio_postgres::Error> {
        client
            .batch_execute(&format!(
                "SELECT pg_advisory_lock(hashtext('iryo.orca_fleet_lease'));
                 {TABLES}
                 SELECT pg_advisory_unlock(hashtext('iryo.orca_fleet_lease'));"
            ))
            .await?;
        client.batch_execute(LOCK_TIMEOUT).await?;
        Ok(Leases { client, replica })
    }

    /// This replica's id.
    pub fn replica(&self) -> Uuid {
        self.replica
    }

    /// Whether the session is gone (a new one is needed).
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    /// Says this replica is alive and extends every lease it still holds.
    pub async fn renew(&mut self) -> Result<Renewal, tokio_postgres::Error> {
        let started = Instant::now();
        let tx = self.client.transaction().await?;
        tx.execute(REGISTER, &[&self.replica, &ttl_seconds()])
            .await?;
        let replicas: i64 = tx.query_one(LIVE_REPLICAS, &[]).await?.get(0);
        let held = tx
            .query(RENEW, &[&self.replica, &ttl_seconds()])
            .await?
            .iter()
            .map(|row| row.get::<_, String>(0))
            .collect();
        tx.commit().await?;
        Ok(Renewal {
            replicas: usize::try_from(replicas).unwrap_or(1).max(1),
            held,
            valid_until: started + TTL,
        })
    }

    /// Takes up to `want` of `tenants` whose lease is free or expired; returns those taken.
    pub async fn acquire(
        &mut self,
        tenants: &[String],
        want: usize,
    ) -> Result<Vec<String>, tokio_postgres::Error> {
        if want == 0 || tenants.is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(want).unwrap_or(i64::MAX);
        let free: Vec<String> = self
            .client
            .query(FREE, &[&tenants, &limit])
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        if free.is_empty() {
            return Ok(free);
        }
        let taken = self
            .client
            .query(TAKE, &[&free, &self.replica, &ttl_seconds()])
            .await?;
        Ok(taken.iter().map(|row| row.get(0)).collect())
    }

    /// Gives `tenants` back (their tasks are stopped first).
    pub async fn release(&mut self, tenants: &[String]) -> Result<(), tokio_postgres::Error> {
        if !tenants.is_empty() {
            self.client
                .execute(RELEASE, &[&self.replica, &tenants])
                .await?;
        }
        Ok(())
    }

    /// Gives every lease back and leaves (a clean shutdown: the others take over at once).
    pub async fn leave(&mut self, tenants: &[String]) -> Result<(), tokio_postgres::Error> {
        self.release(tenants).await?;
        self.client.execute(LEAVE, &[&self.replica]).await?;
        Ok(())
    }
}

/// One tenant's writes on the replica's shared connections ([`TenantWriter`]): each transaction
/// first checks that this replica still holds the lease, by its own clock, then by [`FENCE`].
#[derive(Clone)]
pub(crate) struct Fenced {
    pub tenant: String,
    pub shared: Shared,
}

iryo_runtime::debug_fields!(Fenced { tenant });

impl Fenced {
    /// Whether this replica still holds the tenant's lease before something leaves the database
    /// (a batch handed to a webhook or command receiver): by its own clock with [`MARGIN`] (the
    /// moment its task would stop itself), then by [`FENCE`].
    pub async fn still_held(&self) -> Result<(), SinkFailure> {
        if Instant::now() + MARGIN >= *self.shared.lease_until.borrow() {
            return Err(SinkFailure::failed("this replica's lease has ended"));
        }
        let failed = |e: &dyn std::fmt::Display| SinkFailure::failed(e.to_string());
        let mut connection = self.shared.pool.get().await.map_err(|e| failed(&e))?;
        let holds = connection
            .client()
            .query_opt(FENCE, &[&self.tenant, &self.shared.replica])
            .await
            .map_err(|e| failed(&e))?;
        connection.done();
        match holds {
            Some(_) => Ok(()),
            None => Err(SinkFailure::failed(
                "the lease is no longer this replica's: nothing delivered",
            )),
        }
    }
}

impl TenantWriter for Fenced {
    async fn write(&mut self, statements: &impl Statements) -> Result<(), SinkFailure> {
        if Instant::now() >= *self.shared.lease_until.borrow() {
            return Err(SinkFailure::failed("this replica's lease has ended"));
        }
        let failed = |e: &dyn std::fmt::Display| SinkFailure::failed(e.to_string());
        let mut connection = self.shared.pool.get().await.map_err(|e| failed(&e))?;
        let tx = connection
            .client()
            .transaction()
            .await
            .map_err(|e| failed(&e))?;
        let holds = tx
            .query_opt(FENCE, &[&self.tenant, &self.shared.replica])
            .await
            .map_err(|e| failed(&e))?;
        if holds.is_none() {
            return Err(SinkFailure::failed(
                "the lease is no longer this replica's: nothing written",
            ));
        }
        statements.run(&tx, &self.tenant).await?;
        tx.commit().await.map_err(|e| failed(&e))?;
        connection.done();
        Ok(())
    }
}

/// How many tenants each of `replicas` should hold: an even share, rounded up.
pub fn share(tenants: usize, replicas: usize) -> usize {
    tenants.div_ceil(replicas.max(1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn shares_are_even_and_cover_every_tenant() {
        assert_eq!(super::share(50, 2), 25);
        assert_eq!(super::share(51, 2), 26);
        assert_eq!(super::share(3, 0), 3);
        assert!(super::share(500, 3) * 3 >= 500);
    }
}
