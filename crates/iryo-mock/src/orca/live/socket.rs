//! One socket: the upgrade (refusals, tenant header, optional Basic), then the frame loop.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{MethodRouter, get};
use futures_util::SinkExt as _;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use super::Push;
use super::protocol::{self, MAX_SUBSCRIPTIONS, Request, Subscription};
use crate::orca::Shared;
use crate::orca::auth::{self, Refusal};
use crate::orca::handler::{empty, unauthorized};
use crate::orca::tenants::Tenant;

/// Client frames are small; anything bigger is refused by the WebSocket layer.
const MAX_FRAME: usize = 64 * 1024;
/// What a socket may hold of frames not yet written: tungstenite's default is unbounded, so a
/// client that floods pings and reads nothing would grow the mock with its pongs. Above any frame
/// the mock sends (a frame larger than this could not be queued at all).
const MAX_WRITE_BUFFER: usize = 64 * 1024 * 1024;
/// Pushes written before one flush.
const BATCH: usize = 256;
/// A write blocked this long means a stalled subscriber: it is dropped, as an overloaded pusher
/// would (faults and the channel's lag are seen meanwhile: a write never holds the loop).
pub(crate) const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// Which port a socket came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Port {
    /// `/ws` on the API port (WebORCA): the tenant header may be missing.
    Api,
    /// The pusher's own port (日レセ `jma-receipt-pusher`): the tenant header is required.
    Pusher,
}

/// `GET /ws` on `port`, for the tenant the header names (the default tenant without one).
pub(crate) fn ws_route(port: Port) -> MethodRouter<Arc<Shared>> {
    get(
        move |Tenant(tenant): Tenant, headers: HeaderMap, upgrade: WebSocketUpgrade| async move {
            ws_handler(tenant, port, headers, upgrade)
        },
    )
}

fn ws_handler(
    shared: Arc<Shared>,
    port: Port,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let hub = &shared.live;
    if let Some(status) = hub.pending().refuse_upgrades.pop_front() {
        return match status {
            401 => unauthorized(),
            _ => empty(StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN)),
        };
    }
    match headers.get("x-ginbee-tenant-id").map(|v| v.to_str()) {
        None if port == Port::Pusher => return empty(StatusCode::BAD_REQUEST),
        None => {}
        Some(Ok(tenant)) if !tenant.is_empty() && tenant.bytes().all(|b| b.is_ascii_digit()) => {}
        Some(_) => return empty(StatusCode::BAD_REQUEST),
    }
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        match auth::check(&headers, &shared.accounts) {
            Ok(()) => {}
            Err(Refusal::Unauthorized) => return unauthorized(),
            Err(Refusal::Forbidden) => return empty(StatusCode::FORBIDDEN),
        }
    }
    upgrade
        .max_message_size(MAX_FRAME)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| connection(shared, socket))
}

struct OpenGuard<'a>(&'a std::sync::atomic::AtomicU64);

impl Drop for OpenGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn connection(shared: Arc<Shared>, mut socket: WebSocket) {
    let hub = &shared.live;
    hub.connections.fetch_add(1, Ordering::Relaxed);
    hub.open.fetch_add(1, Ordering::Relaxed);
    let _open = OpenGuard(&hub.open);
    let mut pushes = hub.sender.subscribe();
    let mut drops = hub.drops.subscribe();
    let mut hangs = hub.hangs.subscribe();
    let stop = shared.harness.stopping().clone().wait();
    tokio::pin!(stop);
    let mut subscriptions: Vec<Subscription> = Vec::new();
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            _ = drops.changed() => break,
            _ = hangs.changed() => {
                // Half-open: keep the socket, read nothing (so no pong), send nothing.
                tokio::select! {
                    _ = &mut stop => {}
                    _ = drops.changed() => {}
                }
                break;
            }
            message = socket.recv() => match message {
                Some(Ok(Message::Text(text))) => {
                    let answer = answer(&shared, &mut subscriptions, text.as_str());
                    let send = socket.send(Message::Text(answer.into()));
                    if !sent_in_time(send, &mut stop, &mut drops).await {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let frame = protocol::error_frame(None, None, "PARSE_ERROR", "binary frames are not JSON");
                    let send = socket.send(Message::Text(frame.into()));
                    if !sent_in_time(send, &mut stop, &mut drops).await {
                        break;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            push = pushes.recv() => {
                let first = match push {
                    Ok(push) => push,
                    // A subscriber this far behind is dropped, as an overloaded pusher would.
                    Err(RecvError::Lagged(_) | RecvError::Closed) => break,
                };
                let send = send_pushes(&mut socket, &subscriptions, first, &mut pushes);
                if !sent_in_time(send, &mut stop, &mut drops).await {
                    break;
                }
            }
        }
    }
    hub.subscriptions
        .fetch_sub(subscriptions.len() as u64, Ordering::Relaxed);
}

/// Whether `send` finished within [`SEND_TIMEOUT`], with no stop or `drop` fault meanwhile.
async fn sent_in_time(
    send: impl Future<Output = Result<(), axum::Error>>,
    stop: &mut (impl Future<Output = ()> + Unpin),
    drops: &mut tokio::sync::watch::Receiver<u64>,
) -> bool {
    tokio::select! {
        biased;
        _ = stop => false,
        _ = drops.changed() => false,
        sent = tokio::time::timeout(SEND_TIMEOUT, send) => matches!(sent, Ok(Ok(()))),
    }
}

/// Writes `first` and whatever else is already waiting (up to a batch), then flushes once.
async fn send_pushes(
    socket: &mut WebSocket,
    subscriptions: &[Subscription],
    first: Push,
    pushes: &mut tokio::sync::broadcast::Receiver<Push>,
) -> Result<(), axum::Error> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(push) = next.take() {
        match push {
            Push::Event { event, data } => {
                for subscription in subscriptions.iter().filter(|s| s.wants(&event)) {
                    let frame = protocol::event_frame(&subscription.sub_id, &data);
                    socket.feed(Message::Text(frame.into())).await?;
                }
            }
            Push::Error { code, reason } => {
                let frame = protocol::error_frame(None, None, &code, &reason);
                socket.feed(Message::Text(frame.into())).await?;
            }
        }
        written += 1;
        if written < BATCH {
            next = match pushes.try_recv() {
                Ok(push) => Some(push),
                Err(TryRecvError::Lagged(_)) => {
                    return Err(axum::Error::new("subscriber fell behind"));
                }
                Err(_) => None,
            };
        }
    }
    socket.flush().await
}

/// The answer to one client frame.
fn answer(shared: &Shared, subscriptions: &mut Vec<Subscription>, text: &str) -> String {
    let hub = &shared.live;
    match protocol::parse_request(text) {
        Err(frame) => frame,
        Ok(Request::Subscribe { req_id, event }) => {
            if let Some((code, reason)) = hub.pending().subscribe_errors.pop_front() {
                return protocol::error_frame(Some("subscribe"), Some(&req_id), &code, &reason);
            }
            if subscriptions.len() >= MAX_SUBSCRIPTIONS {
                return protocol::error_frame(
                    Some("subscribe"),
                    Some(&req_id),
                    "INVALID_PARAMS",
                    "too many subscriptions on this socket",
                );
            }
            let sub_id = uuid::Uuid::new_v4().to_string();
            let frame = protocol::subscribed(&req_id, &sub_id);
            subscriptions.push(Subscription { sub_id, event });
            hub.subscriptions.fetch_add(1, Ordering::Relaxed);
            frame
        }
        Ok(Request::Unsubscribe { req_id, sub_id }) => {
            let position = subscriptions
                .iter()
                .position(|s| sub_id.as_str() == Some(s.sub_id.as_str()));
            match position {
                Some(at) => {
                    let removed = subscriptions.remove(at);
                    hub.subscriptions.fetch_sub(1, Ordering::Relaxed);
                    protocol::unsubscribed(&req_id, &removed.sub_id)
                }
                None => protocol::error_frame(
                    Some("unsubscribe"),
                    Some(&req_id),
                    "NO_SUCH_SUBSCRIPTION",
                    "no subscription with this sub.id on this socket",
                ),
            }
        }
    }
}
