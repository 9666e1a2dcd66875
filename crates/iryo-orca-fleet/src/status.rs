//! What each tenant is doing, counted for `/metrics` and logged once per change of state.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A tenant's state on this replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Held by another replica (or by none yet).
    Idle = 0,
    /// Leased here; connecting and catching up.
    CatchingUp = 1,
    /// Socket up and subscribed, events flowing to the sink.
    Connected = 2,
    /// Waiting before the next attempt (socket or sink failed).
    BackingOff = 3,
    /// The server refused the credentials or the subscription.
    Refused = 4,
}

impl State {
    const ALL: [State; 5] = [
        State::Idle,
        State::CatchingUp,
        State::Connected,
        State::BackingOff,
        State::Refused,
    ];

    /// The label used in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::CatchingUp => "catching_up",
            State::Connected => "connected",
            State::BackingOff => "backing_off",
            State::Refused => "refused",
        }
    }

    fn from_u8(value: u8) -> State {
        State::ALL
            .into_iter()
            .find(|s| *s as u8 == value)
            .unwrap_or(State::Idle)
    }
}

/// One tenant's counters.
#[derive(Debug)]
pub struct TenantStatus {
    id: String,
    state: AtomicU8,
    /// Events the sink acknowledged.
    pub delivered: AtomicU64,
    /// Failed sink attempts.
    pub sink_failures: AtomicU64,
    /// Reconnects of the socket.
    pub reconnects: AtomicU64,
    /// Unix milliseconds of the last acknowledged event's `time` (0: none yet).
    pub last_acked_ms: AtomicI64,
}

impl TenantStatus {
    /// Moves to `state`; one log line when it differs from the current one.
    pub fn set(&self, state: State, why: &str) {
        let old = State::from_u8(self.state.swap(state as u8, Ordering::Relaxed));
        if old != state {
            tracing::info!(
                tenant = %self.id,
                from = old.name(),
                to = state.name(),
                why,
                "tenant state"
            );
        }
    }

    /// The tenant's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The current state.
    pub fn state(&self) -> State {
        State::from_u8(self.state.load(Ordering::Relaxed))
    }
}

/// Every tenant this replica knows, for `/metrics`.
#[derive(Debug, Default)]
pub struct Registry {
    tenants: Mutex<BTreeMap<String, Arc<TenantStatus>>>,
    /// When this replica last renewed its leases.
    renewed: Mutex<Option<std::time::Instant>>,
}

impl Registry {
    /// Records a successful lease renewal.
    pub fn renewed(&self) {
        *self.renewed.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(std::time::Instant::now());
    }

    /// Whether the leases were renewed within `within` (the replica can reach PostgreSQL).
    pub fn healthy(&self, within: std::time::Duration) -> bool {
        let renewed = *self.renewed.lock().unwrap_or_else(PoisonError::into_inner);
        renewed.is_some_and(|at| at.elapsed() < within)
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Arc<TenantStatus>>> {
        self.tenants.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The status of `id`, created idle when new.
    pub fn tenant(&self, id: &str) -> Arc<TenantStatus> {
        self.lock()
            .entry(id.to_owned())
            .or_insert_with(|| {
                Arc::new(TenantStatus {
                    id: id.to_owned(),
                    state: AtomicU8::new(State::Idle as u8),
                    delivered: AtomicU64::new(0),
                    sink_failures: AtomicU64::new(0),
                    reconnects: AtomicU64::new(0),
                    last_acked_ms: AtomicI64::new(0),
                })
            })
            .clone()
    }

    /// Forgets a tenant removed from the configuration.
    pub fn remove(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Tenants in `state` now.
    pub fn count(&self, state: State) -> usize {
        self.lock().values().filter(|t| t.state() == state).count()
    }

    /// Events delivered by every tenant.
    pub fn delivered(&self) -> u64 {
        self.lock()
            .values()
            .map(|t| t.delivered.load(Ordering::Relaxed))
            .sum()
    }

    /// The Prometheus text exposition (version 0.0.4) of every tenant's counters.
    pub fn render(&self, now_ms: i64) -> String {
        let tenants: Vec<Arc<TenantStatus>> = self.lock().values().cloned().collect();
        let mut out = String::new();
        let mut family =
            |name: &str, kind: &str, help: &str, value: &dyn Fn(&TenantStatus) -> String| {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
                for t in &tenants {
                    let _ = writeln!(out, "{name}{{tenant=\"{}\"}} {}", t.id, value(t));
                }
            };
        family(
            "iryo_fleet_tenant_delivered_total",
            "counter",
            "Events the sink acknowledged.",
            &|t| t.delivered.load(Ordering::Relaxed).to_string(),
        );
        family(
            "iryo_fleet_tenant_sink_failures_total",
            "counter",
            "Failed sink attempts.",
            &|t| t.sink_failures.load(Ordering::Relaxed).to_string(),
        );
        family(
            "iryo_fleet_tenant_reconnects_total",
            "counter",
            "Reconnects of the push socket.",
            &|t| t.reconnects.load(Ordering::Relaxed).to_string(),
        );
        family(
            "iryo_fleet_tenant_lag_seconds",
            "gauge",
            "Now minus the time of the last acknowledged event (NaN before the first).",
            &|t| match t.last_acked_ms.load(Ordering::Relaxed) {
                0 => "NaN".to_owned(),
                at => format!("{:.3}", (now_ms - at) as f64 / 1000.0),
            },
        );
        let _ = writeln!(
            out,
            "# HELP iryo_fleet_tenant_state 1 for the tenant's current state on this replica.\n\
             # TYPE iryo_fleet_tenant_state gauge"
        );
        for t in &tenants {
            let current = t.state();
            for state in State::ALL {
                let _ = writeln!(
                    out,
                    "iryo_fleet_tenant_state{{tenant=\"{}\",state=\"{}\"}} {}",
                    t.id,
                    state.name(),
                    u8::from(state == current)
                );
            }
        }
        out
    }
}
