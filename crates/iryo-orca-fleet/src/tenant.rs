//! One leased tenant: its live feed (catch-up from its own cursor in PostgreSQL) delivered to a
//! sink whose every write is fenced by the lease, until the fleet stops it.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use iryo_orca::Config;
use iryo_orca::live::Checkpoint as _;
use iryo_orca::live::{FeedItem, LiveConfig, LiveError, LiveFeed};
use iryo_orca_deliver::{
    DeliveryConfig, ExecSink, PostgresCheckpoint, PostgresSink, Progress, Sink, Transport,
    WebhookError, WebhookSink, deliver, load_cursor, write_cursor,
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::config::{Receiver, TenantSpec};
use crate::lease::{Fenced, MARGIN};
use crate::pool::Pool;
use crate::receiver::{self, FencedReceiver};
use crate::status::{State, TenantStatus};

/// Events written in one transaction at most: small enough that a flooding tenant holds a shared
/// connection for one short turn at a time.
pub const BATCH: usize = 500;
/// Live events a tenant's feed holds during a catch-up; past it the feed reconnects and fetches
/// them again from its cursor, so a flood costs bounded memory. (Outside a catch-up the feed reads
/// its socket only as fast as the sink writes: the events wait in the socket.)
pub const MAX_BUFFERED: usize = 4096;
/// The wait before a tenant whose feed failed for good starts again (a reload restarts it at once).
const RESTART_AFTER: Duration = Duration::from_secs(10);

/// What every tenant task of a replica shares.
#[derive(Clone, Debug)]
pub struct Shared {
    /// The write connections.
    pub pool: Arc<Pool>,
    /// This replica.
    pub replica: Uuid,
    /// Until when this replica's own view says its leases hold.
    pub lease_until: watch::Receiver<Instant>,
    /// Retry of failed writes.
    pub delivery: DeliveryConfig,
    /// Ping interval and pong timeout of every socket.
    pub keepalive: (Duration, Duration),
    /// One webhook HTTP client per timeout, shared by the tenants (building one loads the trust
    /// roots: hundreds of tenants must not build one each).
    pub webhooks: Arc<Mutex<BTreeMap<Duration, WebhookSink>>>,
}

/// Runs `spec` until the fleet aborts the task, or until this replica's own view of its lease
/// runs out ([`MARGIN`] before the server's expiry) without a renewal: the task stops by itself,
/// whatever the supervisor is waiting for (a PostgreSQL that does not answer).
pub async fn run(spec: TenantSpec, shared: Shared, status: Arc<TenantStatus>) {
    let mut lease = shared.lease_until.clone();
    let work = run_forever(&spec, &shared, &status);
    tokio::pin!(work);
    loop {
        let deadline = *lease.borrow_and_update() - MARGIN;
        tokio::select! {
            () = &mut work => return,
            () = tokio::time::sleep_until(deadline.into()) => {
                status.set(State::Idle, "lease not renewed in time");
                return;
            }
            changed = lease.changed() => if changed.is_err() {
                return;
            },
        }
    }
}

async fn run_forever(spec: &TenantSpec, shared: &Shared, status: &Arc<TenantStatus>) {
    loop {
        status.set(State::CatchingUp, "lease held");
        let Err(error) = run_once(spec, shared, status).await;
        let refused = matches!(&error, Failure::Feed(e) if e.is_fatal());
        let state = if refused {
            State::Refused
        } else {
            State::BackingOff
        };
        status.set(state, &error.to_string());
        tokio::time::sleep(RESTART_AFTER).await;
    }
}

#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Feed(LiveError),
    #[error("{0}")]
    Other(String),
}

async fn run_once(
    spec: &TenantSpec,
    shared: &Shared,
    status: &Arc<TenantStatus>,
) -> Result<Infallible, Failure> {
    let other = |e: &dyn std::fmt::Display| Failure::Other(e.to_string());
    let (cursor, recent) = {
        let mut connection = shared.pool.get().await.map_err(|e| other(&e))?;
        let cursor = load_cursor(connection.client(), &spec.id)
            .await
            .map_err(|e| other(&e))?;
        let recent = match spec.receiver {
            Receiver::Postgres => Vec::new(),
            _ => receiver::recent(connection.client(), &spec.id, &cursor)
                .await
                .map_err(|e| other(&e))?,
        };
        connection.done();
        (cursor, recent)
    };
    let (mut checkpoint, written) = PostgresCheckpoint::detached(cursor).map_err(|e| other(&e))?;
    // What a webhook or command receiver acknowledged before the cursor: repeats to drop.
    checkpoint.commit(&recent, None).map_err(|e| other(&e))?;
    // Building the clients loads the platform's trust roots: CPU work kept off the runtime's
    // threads, so that heartbeats and the other tenants are not held up by many starts.
    let (owned, keepalive, webhooks) = (spec.clone(), shared.keepalive, shared.webhooks.clone());
    let (mut feed, sink) = tokio::task::spawn_blocking(move || {
        let sink = build_sink(&owned, &webhooks);
        build_feed(&owned, keepalive, checkpoint).map(|feed| (feed, sink))
    })
    .await
    .map_err(|e| other(&e))?
    .map_err(Failure::Feed)?;
    let fenced = Fenced {
        tenant: spec.id.clone(),
        shared: shared.clone(),
    };
    let cursor_writer = fenced.clone();
    let writer = async {
        write_cursor(written, cursor_writer).await;
        std::future::pending::<Infallible>().await
    };
    let delivery = async {
        match sink.map_err(Failure::Other)? {
            Built::Rows => {
                let sink = PostgresSink::new(fenced, BATCH);
                drive(&mut feed, sink, shared, status).await
            }
            Built::Webhook(inner) => {
                drive(
                    &mut feed,
                    FencedReceiver::new(fenced, *inner),
                    shared,
                    status,
                )
                .await
            }
            Built::Command(inner) => {
                drive(
                    &mut feed,
                    FencedReceiver::new(fenced, inner),
                    shared,
                    status,
                )
                .await
            }
        }
    };
    tokio::select! {
        stopped = delivery => stopped,
        never = writer => match never {},
    }
}

async fn drive(
    feed: &mut LiveFeed,
    mut sink: impl Sink,
    shared: &Shared,
    status: &Arc<TenantStatus>,
) -> Result<Infallible, Failure> {
    let progress = |p: Progress<'_>| report(status, &p);
    match deliver(feed, &mut sink, &shared.delivery, progress).await {
        Err(iryo_orca_deliver::DeliverError::Feed(error)) => Err(Failure::Feed(error)),
        Err(other) => Err(Failure::Other(other.to_string())),
    }
}

/// A tenant's sink, built (the webhook's HTTP client loads the trust roots).
enum Built {
    Rows,
    Webhook(Box<WebhookSink>),
    Command(ExecSink),
}

fn build_sink(
    spec: &TenantSpec,
    webhooks: &Mutex<BTreeMap<Duration, WebhookSink>>,
) -> Result<Built, String> {
    match &spec.receiver {
        Receiver::Postgres => Ok(Built::Rows),
        Receiver::Webhook {
            url,
            secret,
            timeout,
        } => {
            let failed = |e: WebhookError| format!("webhook.url: {e}");
            let mut clients = webhooks.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(template) = clients.get(timeout) {
                return template
                    .sharing(url, secret.clone())
                    .map(|sink| Built::Webhook(Box::new(sink)))
                    .map_err(failed);
            }
            let mut transport = Transport::new(concat!("iryo/", env!("CARGO_PKG_VERSION")), 1024);
            transport.timeout = *timeout;
            transport.connect_timeout = transport.connect_timeout.min(*timeout);
            let sink = WebhookSink::new(url, &transport, secret.clone()).map_err(failed)?;
            clients.insert(*timeout, sink.clone());
            Ok(Built::Webhook(Box::new(sink)))
        }
        Receiver::Command {
            run,
            timeout,
            withheld,
        } => Ok(Built::Command(
            ExecSink::new(run.as_str(), spec.id.as_str())
                .timeout(*timeout)
                .withhold(withheld.iter().cloned()),
        )),
    }
}

fn build_feed(
    spec: &TenantSpec,
    keepalive: (Duration, Duration),
    checkpoint: PostgresCheckpoint,
) -> Result<LiveFeed, LiveError> {
    let mut catch_up = Config::new(&spec.base_url, spec.credentials.clone());
    if let Some(path) = &spec.fields.base_path {
        catch_up = catch_up.base_path(path.as_str());
    }
    let mut live = LiveConfig::new(&spec.ws_url)
        .tenant_id(&spec.tenant_header)
        .credentials(spec.credentials.clone())
        .keepalive(keepalive.0, keepalive.1)
        .max_buffered(MAX_BUFFERED);
    if let Some(identity) = &spec.identity {
        catch_up = catch_up.client_identity(identity.clone());
        live = live.client_identity(identity.clone());
    }
    for event in spec.fields.events.iter().flatten() {
        live = live.event(event);
    }
    let catch_up = catch_up.build().map_err(LiveError::CatchUp)?;
    live.build(Some(catch_up), checkpoint)
}

fn report(status: &TenantStatus, progress: &Progress<'_>) {
    match progress {
        Progress::Feed(FeedItem::Connected { caught_up, .. }) => {
            status.set(
                State::Connected,
                &format!("subscribed, {caught_up} caught up"),
            );
        }
        Progress::Feed(FeedItem::Reconnecting { reason, .. }) => {
            status.reconnects.fetch_add(1, Ordering::Relaxed);
            let state = if reason.is_refused_credentials() {
                State::Refused
            } else {
                State::BackingOff
            };
            status.set(state, &reason.to_string());
        }
        Progress::Feed(FeedItem::Gap(gap)) => {
            tracing::warn!(tenant = status.id(), %gap, "gap");
        }
        Progress::Failed { failure, .. } => {
            status.sink_failures.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(tenant = status.id(), %failure, "sink attempt failed");
        }
        Progress::Acknowledged(events) => {
            status
                .delivered
                .fetch_add(events.len() as u64, Ordering::Relaxed);
            if let Some(last) = events.iter().map(|e| e.time.date_time()).max() {
                status
                    .last_acked_ms
                    .fetch_max(last.timestamp_millis(), Ordering::Relaxed);
            }
        }
        _ => {}
    }
}
