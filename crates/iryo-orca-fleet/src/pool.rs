//! A few PostgreSQL connections shared by every tenant of a replica, handed out first come first
//! served: tokio's semaphore is fair (FIFO), and a tenant holds a connection for one batch, so a
//! flooding tenant gets one turn while every other waiting tenant gets one too.

use std::sync::{Arc, Mutex, PoisonError};

use iryo_orca_deliver::{PostgresConnector, PostgresError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::Client;

/// Connections one replica opens at most for its tenants' writes.
pub const DEFAULT_CONNECTIONS: usize = 4;

/// A connection attempt that takes longer fails (a database cut off must not hold a turn).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The shared connections.
pub struct Pool {
    connector: PostgresConnector,
    idle: Mutex<Vec<Client>>,
    permits: Arc<Semaphore>,
}

iryo_runtime::debug_fields!(Pool {});

/// A connection lent to one caller. Given back by [`Pooled::done`]; dropped otherwise (a write
/// cut short leaves no half-used session behind: the server rolls it back).
pub struct Pooled {
    pool: Arc<Pool>,
    client: Client,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    /// A pool of at most `size` connections to `connector`'s server (opened on demand).
    pub fn new(connector: PostgresConnector, size: usize) -> Arc<Pool> {
        Arc::new(Pool {
            connector,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size.max(1))),
        })
    }

    /// The connector, for sessions of their own (the leases).
    pub fn connector(&self) -> &PostgresConnector {
        &self.connector
    }

    /// Waits for a turn (first come, first served), then lends an open connection.
    pub async fn get(self: &Arc<Self>) -> Result<Pooled, PostgresError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| PostgresError::Database("the pool is closed".to_owned()))?;
        let reused = {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            idle.retain(|c| !c.is_closed());
            idle.pop()
        };
        let client = match reused {
            Some(client) => client,
            None => tokio::time::timeout(CONNECT_TIMEOUT, self.connector.connect())
                .await
                .map_err(|_| PostgresError::Database("connecting timed out".to_owned()))??,
        };
        Ok(Pooled {
            pool: self.clone(),
            client,
            _permit: permit,
        })
    }
}

impl Pooled {
    /// The connection.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Gives the connection back for the next caller.
    pub fn done(self) {
        if !self.client.is_closed() {
            let mut idle = self
                .pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            idle.push(self.client);
        }
    }
}
