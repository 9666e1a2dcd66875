//! The supervisor of one replica: every [`HEARTBEAT`] it renews its leases, takes its even share of
//! the free tenants, gives back what exceeds its share, and runs one task per tenant it holds. A
//! task is stopped before its lease is given back, and every task is stopped when this replica's
//! own view of its leases runs out ([`MARGIN`] before the server's expiry), so a replica cut off
//! from PostgreSQL has stopped before another may take its tenants.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use iryo_orca_deliver::{DeliveryConfig, PostgresConnector, prepare_tenant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::config::{FleetConfig, TenantSpec};
use crate::lease::{HEARTBEAT, Leases, MARGIN, share};
use crate::pool::{DEFAULT_CONNECTIONS, Pool};
use crate::status::{Registry, State};
use crate::tenant::{self, Shared};

/// How a replica runs.
#[derive(Clone, Debug)]
pub struct FleetOptions {
    /// Retry of failed writes.
    pub delivery: DeliveryConfig,
    /// Shared write connections.
    pub connections: usize,
    /// Ping interval and pong timeout of every socket.
    pub keepalive: (Duration, Duration),
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            delivery: DeliveryConfig {
                retry_initial: Duration::from_millis(200),
                retry_max: Duration::from_secs(30),
                max_refusals: None,
                ..DeliveryConfig::default()
            },
            connections: DEFAULT_CONNECTIONS,
            keepalive: (Duration::from_secs(10), Duration::from_secs(30)),
        }
    }
}

/// Why a replica could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FleetError {
    /// PostgreSQL (URL, connection, tables).
    #[error("PostgreSQL: {0}")]
    Postgres(String),
}

struct Running {
    spec: TenantSpec,
    task: JoinHandle<()>,
}

/// One replica.
pub struct Fleet {
    tenants: BTreeMap<String, TenantSpec>,
    running: BTreeMap<String, Running>,
    leases: Option<Leases>,
    replica: Uuid,
    shared: Shared,
    lease_until: watch::Sender<Instant>,
    registry: Arc<Registry>,
}

iryo_runtime::debug_fields!(Fleet { replica });

impl Fleet {
    /// Connects to PostgreSQL (tables created when missing); holds no tenant yet.
    pub async fn start(
        config: FleetConfig,
        postgres_url: &str,
        options: FleetOptions,
        registry: Arc<Registry>,
    ) -> Result<Fleet, FleetError> {
        let failed = |e: &dyn std::fmt::Display| FleetError::Postgres(e.to_string());
        let connector = PostgresConnector::new(postgres_url).map_err(|e| failed(&e))?;
        let replica = Uuid::new_v4();
        let mut client = connector.connect().await.map_err(|e| failed(&e))?;
        // The event and cursor tables, created once here (each tenant then only reads its cursor).
        if let Some(first) = config.tenants.first() {
            prepare_tenant(&mut client, &first.id)
                .await
                .map_err(|e| failed(&e))?;
        }
        let leases = Leases::new(client, replica).await.map_err(|e| failed(&e))?;
        let (lease_until, receiver) = watch::channel(Instant::now());
        let shared = Shared {
            pool: Pool::new(connector, options.connections),
            replica,
            lease_until: receiver,
            delivery: options.delivery,
            keepalive: options.keepalive,
            webhooks: Arc::default(),
        };
        let tenants = config
            .tenants
            .into_iter()
            .map(|t| (t.id.clone(), t))
            .collect::<BTreeMap<_, _>>();
        for id in tenants.keys() {
            registry.tenant(id);
        }
        tracing::info!(%replica, tenants = tenants.len(), "replica started");
        Ok(Fleet {
            tenants,
            running: BTreeMap::new(),
            leases: Some(leases),
            replica,
            shared,
            lease_until,
            registry,
        })
    }

    /// This replica's id (the `owner` of its lease rows).
    pub fn replica(&self) -> Uuid {
        self.replica
    }

    /// Runs until `shutdown` resolves; a configuration sent on `reloads` replaces the current one
    /// (tenants added, removed or changed; the others untouched). On shutdown the tasks stop and
    /// the leases are given back, so the other replicas take over at their next heartbeat.
    pub async fn run(
        mut self,
        mut reloads: mpsc::Receiver<FleetConfig>,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        let mut ticks = tokio::time::interval(HEARTBEAT);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let deadline = *self.lease_until.borrow() - MARGIN;
            let expiry = tokio::time::sleep_until(deadline.into());
            tokio::select! {
                _ = &mut shutdown => break,
                _ = ticks.tick() => self.heartbeat().await,
                Some(config) = reloads.recv() => self.reload(config).await,
                _ = expiry, if self.running.values().any(|r| !r.task.is_finished()) => {
                    let ids: Vec<String> = self.running.keys().cloned().collect();
                    tracing::warn!(count = ids.len(), "leases not renewed in time: stopping every tenant");
                    self.stop(&ids, "lease not renewed in time").await;
                }
            }
        }
        let ids: Vec<String> = self.running.keys().cloned().collect();
        self.stop(&ids, "shutdown").await;
        if let Some(leases) = self.leases.as_mut() {
            bounded(leases.leave(&ids), "leaving").await;
        }
        tracing::info!(replica = %self.replica, "replica stopped");
    }

    async fn heartbeat(&mut self) {
        if self.leases.as_ref().is_none_or(Leases::is_closed) {
            self.leases = self.reconnect().await;
        }
        let Some(leases) = self.leases.as_mut() else {
            return;
        };
        let renewed = tokio::time::timeout(HEARTBEAT, leases.renew()).await;
        let renewal = match renewed {
            Ok(Ok(renewal)) => renewal,
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "lease renewal failed");
                self.leases = None;
                return;
            }
            Err(_) => {
                tracing::warn!("lease renewal timed out");
                self.leases = None;
                return;
            }
        };
        self.lease_until.send_replace(renewal.valid_until);
        self.registry.renewed();
        let held: Vec<String> = renewal
            .held
            .into_iter()
            .filter(|id| self.tenants.contains_key(id))
            .collect();
        let lost = not_held(self.running.keys(), &held);
        self.stop(&lost, "lease lost").await;
        for id in &held {
            self.launch(id);
        }
        let target = share(self.tenants.len(), renewal.replicas);
        if held.len() > target {
            let extra: Vec<String> = held[target..].to_vec();
            self.stop(&extra, "handed to another replica (even share)")
                .await;
            if let Some(leases) = self.leases.as_mut() {
                bounded(leases.release(&extra), "lease release").await;
            }
        } else if held.len() < target {
            let free = not_held(self.tenants.keys(), &held);
            let Some(leases) = self.leases.as_mut() else {
                return;
            };
            let want = target - held.len();
            if let Some(taken) = bounded(leases.acquire(&free, want), "lease acquisition").await {
                for id in &taken {
                    self.launch(id);
                }
            }
        }
    }

    async fn reconnect(&self) -> Option<Leases> {
        let connect = async {
            let client = self.shared.pool.connector().connect().await.ok()?;
            Leases::new(client, self.replica).await.ok()
        };
        tokio::time::timeout(HEARTBEAT, connect)
            .await
            .ok()
            .flatten()
    }

    /// Starts `id`'s task unless it runs (a task that stopped by itself is started again).
    fn launch(&mut self, id: &str) {
        if self.running.get(id).is_some_and(|r| !r.task.is_finished()) {
            return;
        }
        let Some(spec) = self.tenants.get(id).cloned() else {
            return;
        };
        let status = self.registry.tenant(id);
        let task = tokio::spawn(tenant::run(spec.clone(), self.shared.clone(), status));
        self.running.insert(id.to_owned(), Running { spec, task });
    }

    /// Stops the tasks of `ids` and waits until they have stopped.
    async fn stop(&mut self, ids: &[String], why: &str) {
        for id in ids {
            if let Some(running) = self.running.remove(id) {
                running.task.abort();
                let _ = running.task.await;
                self.registry.tenant(id).set(State::Idle, why);
            }
        }
    }

    async fn reload(&mut self, config: FleetConfig) {
        let new: BTreeMap<String, TenantSpec> = config
            .tenants
            .into_iter()
            .map(|t| (t.id.clone(), t))
            .collect();
        let removed: Vec<String> = self
            .tenants
            .keys()
            .filter(|id| !new.contains_key(*id))
            .cloned()
            .collect();
        let changed: Vec<String> = self
            .running
            .iter()
            .filter(|(id, r)| new.get(*id).is_some_and(|spec| spec.changed_from(&r.spec)))
            .map(|(id, _)| id.clone())
            .collect();
        let added = new
            .keys()
            .filter(|id| !self.tenants.contains_key(*id))
            .count();
        self.stop(&removed, "removed from the configuration").await;
        if let Some(leases) = self.leases.as_mut() {
            bounded(leases.release(&removed), "lease release").await;
        }
        for id in &removed {
            self.registry.remove(id);
        }
        self.stop(&changed, "changed in the configuration").await;
        self.tenants = new;
        for id in self.tenants.keys() {
            self.registry.tenant(id);
        }
        for id in &changed {
            self.launch(id);
        }
        tracing::info!(
            added,
            removed = removed.len(),
            changed = changed.len(),
            tenants = self.tenants.len(),
            "configuration reloaded"
        );
    }
}

/// A statement on the lease session, given at most one heartbeat: a PostgreSQL that does not
/// answer must not hold the loop (the tasks stop by their own clock meanwhile).
async fn bounded<T>(
    work: impl Future<Output = Result<T, tokio_postgres::Error>>,
    what: &str,
) -> Option<T> {
    match tokio::time::timeout(HEARTBEAT, work).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(error)) => {
            tracing::warn!(error = %error, "{what} failed");
            None
        }
        Err(_) => {
            tracing::warn!("{what} timed out");
            None
        }
    }
}

/// The tenant ids of `ids` that the lease renewal did not leave in `held`.
fn not_held<'a>(ids: impl Iterator<Item = &'a String>, held: &[String]) -> Vec<String> {
    ids.filter(|id| !held.contains(id)).cloned().collect()
}
