//! One connection: the upgrade, the subscriptions, then frames with the keepalive running.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use futures_util::{FutureExt as _, SinkExt as _, StreamExt as _};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::config::Resolved;
use super::frames::{ClientFrame, ErrorFrame, EventFrame, ServerFrame, SubscribeFrame};
use super::held::Held;
use super::{FrameId, LiveError, SocketErrorCode};
use crate::Undelivered;
use crate::types::PushEventData;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What the socket may hold of frames not yet written (the client writes small frames: subscribes,
/// pings, and the pongs tungstenite queues by itself). tungstenite's default is unbounded.
pub(crate) const MAX_WRITE_BUFFER_BYTES: usize = 64 * 1024;
/// Pings in a row whose pong could not be written: the server pings and reads nothing back.
const MAX_UNWRITTEN_PONGS: u32 = 1024;

/// A frame that matters to the feed.
pub(crate) enum Incoming {
    Event(Box<PushEventData>),
    /// An `event` frame whose notification cannot be typed (no uuid, say), named.
    Undelivered(Box<Undelivered>),
    Error(ErrorFrame),
}

/// A text frame: decoded, or an `event` frame whose `data` is not a notification.
enum Frame {
    Server(ServerFrame),
    Undelivered(Box<Undelivered>),
}

/// An open, subscribed socket.
pub(crate) struct Session {
    ws: Ws,
    /// sub.id -> event name.
    subscriptions: HashMap<FrameId, String>,
    /// Events that arrived while the subscriptions were being answered.
    early: VecDeque<Incoming>,
    early_held: Held,
    ping_interval: Duration,
    pong_timeout: Duration,
    next_ping: Instant,
    /// When the oldest unanswered ping went out.
    awaiting_pong: Option<Instant>,
    /// Pings received in a row while the write side stayed blocked.
    unwritten_pongs: u32,
    /// Server text (reasons, excerpts) passes through it before it is shown.
    redactor: iryo_runtime::__private::Redactor,
}

impl Session {
    /// Opens the socket and subscribes to every configured event, within the connect timeout.
    pub(crate) async fn open(resolved: &Resolved) -> Result<Self, LiveError> {
        let config = &resolved.config;
        let opened = tokio::time::timeout(config.connect_timeout, async {
            let ws = connect(resolved).await?;
            let mut session = Session {
                ws,
                subscriptions: HashMap::new(),
                early: VecDeque::new(),
                early_held: Held::new(config.held),
                ping_interval: config.ping_interval,
                pong_timeout: config.pong_timeout,
                next_ping: Instant::now() + config.ping_interval,
                awaiting_pong: None,
                unwritten_pongs: 0,
                redactor: resolved.redactor.clone(),
            };
            session.subscribe_all(&config.events).await?;
            Ok::<_, LiveError>(session)
        })
        .await;
        opened.unwrap_or_else(|_| {
            Err(LiveError::Socket(format!(
                "not connected and subscribed within {:?}",
                config.connect_timeout
            )))
        })
    }

    /// The subscriptions: event name and `sub.id`.
    pub(crate) fn subscriptions(&self) -> Vec<(String, FrameId)> {
        let mut list: Vec<_> = self
            .subscriptions
            .iter()
            .map(|(id, event)| (event.clone(), id.clone()))
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    }

    async fn subscribe_all(&mut self, events: &[String]) -> Result<(), LiveError> {
        let mut asked: HashMap<FrameId, String> = HashMap::new();
        for event in events {
            let req_id = FrameId::new_random();
            let frame = ClientFrame::Subscribe(SubscribeFrame {
                req_id: req_id.clone(),
                event: event.clone(),
            });
            self.send(&frame).await?;
            asked.insert(req_id, event.clone());
        }
        while !asked.is_empty() {
            let frame = match self.read_frame().await? {
                Frame::Server(frame) => frame,
                Frame::Undelivered(undelivered) => {
                    self.hold_early(Incoming::Undelivered(undelivered))?;
                    continue;
                }
            };
            match frame {
                ServerFrame::Subscribed(answer) => {
                    let event = asked.remove(&answer.req_id).ok_or_else(|| {
                        LiveError::Protocol(format!(
                            "`subscribed` for unknown req.id {}",
                            answer.req_id
                        ))
                    })?;
                    self.subscriptions.insert(answer.sub_id, event);
                }
                ServerFrame::Error(error) => {
                    let error = self.shown(error);
                    let event = error.req_id.as_ref().and_then(|id| asked.get(id));
                    return Err(match event {
                        Some(event) => LiveError::SubscribeRefused {
                            event: event.clone(),
                            code: error.code,
                            reason: error.reason,
                        },
                        None => LiveError::Server {
                            code: error.code,
                            reason: error.reason,
                        },
                    });
                }
                ServerFrame::Event(frame) => {
                    let incoming = self.check_event(frame)?;
                    self.hold_early(incoming)?;
                }
                ServerFrame::Unsubscribed(_) => {
                    return Err(LiveError::Protocol(
                        "`unsubscribed` before any unsubscribe".to_owned(),
                    ));
                }
            }
        }
        Ok(())
    }

    fn hold_early(&mut self, incoming: Incoming) -> Result<(), LiveError> {
        self.early_held.hold(&incoming)?;
        self.early.push_back(incoming);
        Ok(())
    }

    /// The next event or error frame, pinging as configured. `Err` means the connection is over.
    pub(crate) async fn next(&mut self) -> Result<Incoming, LiveError> {
        if let Some(early) = self.early.pop_front() {
            return Ok(early);
        }
        let frame = match self.read_frame().await? {
            Frame::Server(frame) => frame,
            Frame::Undelivered(undelivered) => return Ok(Incoming::Undelivered(undelivered)),
        };
        match frame {
            ServerFrame::Event(frame) => self.check_event(frame),
            ServerFrame::Error(error) => Ok(Incoming::Error(self.shown(error))),
            other => Err(LiveError::Protocol(format!(
                "unexpected `{}` frame",
                other.command()
            ))),
        }
    }

    /// The frame as it may be shown: its reason, and a code the table does not list, with the
    /// secrets blanked and no control characters (the runtime's one rule for server text).
    fn shown(&self, mut error: ErrorFrame) -> ErrorFrame {
        error.reason = error.reason.map(|r| self.redactor.excerpt(r.as_bytes()));
        if let SocketErrorCode::Unknown(code) = &error.code {
            error.code =
                SocketErrorCode::from(self.redactor.excerpt(code.as_str().as_bytes()).as_str());
        }
        error
    }

    fn check_event(&self, frame: EventFrame) -> Result<Incoming, LiveError> {
        if !self.subscriptions.contains_key(&frame.sub_id) {
            return Err(LiveError::Protocol(format!(
                "event for unknown sub.id {}",
                frame.sub_id
            )));
        }
        Ok(Incoming::Event(Box::new(frame.data)))
    }

    async fn send(&mut self, frame: &ClientFrame) -> Result<(), LiveError> {
        let text = serde_json::to_string(frame).map_err(|e| LiveError::Protocol(e.to_string()))?;
        self.send_bounded(Message::text(text)).await
    }

    /// Sends within the pong timeout: a server that reads nothing cannot hold the feed in a write.
    async fn send_bounded(&mut self, message: Message) -> Result<(), LiveError> {
        match tokio::time::timeout(self.pong_timeout, self.ws.send(message)).await {
            Ok(sent) => sent.map_err(socket_error),
            Err(_) => Err(LiveError::Socket(format!(
                "write buffer not written within {:?}: the server reads nothing",
                self.pong_timeout
            ))),
        }
    }

    /// tungstenite queues a pong for every ping; a server that floods pings and reads nothing
    /// back keeps the (bounded) write buffer full: a connection failure, never memory.
    fn pong_written(&mut self) -> Result<(), LiveError> {
        match self.ws.flush().now_or_never() {
            Some(Ok(())) => self.unwritten_pongs = 0,
            Some(Err(e)) => return Err(socket_error(e)),
            None => {
                self.unwritten_pongs += 1;
                if self.unwritten_pongs > MAX_UNWRITTEN_PONGS {
                    return Err(LiveError::Socket(format!(
                        "write buffer full ({MAX_WRITE_BUFFER_BYTES} bytes) after \
                         {MAX_UNWRITTEN_PONGS} pings in a row: the server reads nothing"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Reads until a text frame decodes, answering the keepalive on the way.
    async fn read_frame(&mut self) -> Result<Frame, LiveError> {
        loop {
            let wake = match self.awaiting_pong {
                Some(since) => self.next_ping.min(since + self.pong_timeout),
                None => self.next_ping,
            };
            // A server that never stops sending must not starve the keepalive.
            if Instant::now() >= wake {
                self.keepalive().await?;
                continue;
            }
            tokio::select! {
                biased;
                message = self.ws.next() => {
                    let message = match message {
                        Some(Ok(message)) => message,
                        Some(Err(e)) => return Err(socket_error(e)),
                        None => return Err(LiveError::Socket("closed by the server".to_owned())),
                    };
                    match message {
                        Message::Text(text) => return decode(text.as_str(), &self.redactor),
                        Message::Pong(_) => self.awaiting_pong = None,
                        Message::Close(frame) => {
                            let why = frame
                                .map(|f| format!(" ({} {})", f.code, self.redactor.excerpt(f.reason.as_bytes())))
                                .unwrap_or_default();
                            return Err(LiveError::Socket(format!("closed by the server{why}")));
                        }
                        Message::Binary(_) => return Err(LiveError::Protocol("binary frame".to_owned())),
                        Message::Ping(_) => self.pong_written()?,
                        Message::Frame(_) => {}
                    }
                }
                () = tokio::time::sleep_until(wake) => self.keepalive().await?,
            }
        }
    }

    async fn keepalive(&mut self) -> Result<(), LiveError> {
        let now = Instant::now();
        if let Some(since) = self.awaiting_pong
            && now >= since + self.pong_timeout
        {
            return Err(LiveError::KeepaliveTimeout(self.pong_timeout));
        }
        if now >= self.next_ping {
            self.send_bounded(Message::Ping(Vec::new().into())).await?;
            self.awaiting_pong.get_or_insert(now);
            self.next_ping = now + self.ping_interval;
        }
        Ok(())
    }
}

fn socket_error(error: tungstenite::Error) -> LiveError {
    match error {
        tungstenite::Error::WriteBufferFull(_) => LiveError::Socket(format!(
            "write buffer full ({MAX_WRITE_BUFFER_BYTES} bytes): the server reads nothing"
        )),
        other => LiveError::Socket(other.to_string()),
    }
}

fn decode(text: &str, redactor: &iryo_runtime::__private::Redactor) -> Result<Frame, LiveError> {
    /// What an `event` frame whose notification does not decode still has.
    #[derive(serde::Deserialize)]
    struct EventProbe<'a> {
        command: std::borrow::Cow<'a, str>,
        #[serde(borrow)]
        data: &'a serde_json::value::RawValue,
    }
    serde_json::from_str(text).map(Frame::Server).or_else(|e| {
        match serde_json::from_str::<EventProbe<'_>>(text) {
            Ok(probe) if probe.command == "event" => {
                match crate::PushEvent::from_json(probe.data.get()) {
                    Err(undelivered) => Ok(Frame::Undelivered(undelivered)),
                    Ok(_) => Err(e),
                }
            }
            _ => Err(e),
        }
        .map_err(|e| {
            let excerpt = redactor.excerpt(text.as_bytes());
            LiveError::Protocol(format!("undecodable frame ({e}): {excerpt}"))
        })
    })
}

async fn connect(resolved: &Resolved) -> Result<Ws, LiveError> {
    let config = &resolved.config;
    let mut request = config
        .ws_url
        .as_str()
        .into_client_request()
        .map_err(|e| LiveError::Config(e.to_string()))?;
    let headers = request.headers_mut();
    headers.insert("X-GINBEE-TENANT-ID", resolved.tenant.clone());
    if let Some(authorization) = &resolved.authorization {
        headers.insert(reqwest::header::AUTHORIZATION, authorization.clone());
    }
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(config.max_frame_bytes))
        .max_frame_size(Some(config.max_frame_bytes))
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES);
    let connector = match &resolved.tls {
        Some(tls) => Connector::Rustls(tls.clone()),
        None => Connector::Plain,
    };
    let connected = tokio_tungstenite::connect_async_tls_with_config(
        request,
        Some(ws_config),
        true,
        Some(connector),
    )
    .await;
    match connected {
        Ok((ws, _response)) => Ok(ws),
        Err(tungstenite::Error::Http(response)) => Err(match response.status().as_u16() {
            401 => LiveError::Unauthorized,
            403 => LiveError::Forbidden,
            status => LiveError::Upgrade { status },
        }),
        Err(e) => Err(socket_error(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_frame_without_uuid_is_named_not_a_broken_connection() {
        let text = r#"{"command":"event","sub.id":"s1","data":{"id":3,"event":"patient_accept","user":"u","body":{},"time":"2026-01-01T00:00:00+0900"}}"#;
        match decode(text, &iryo_runtime::__private::Redactor::default()) {
            Ok(Frame::Undelivered(named)) => {
                assert_eq!(
                    (named.uuid.as_deref(), named.id.as_deref()),
                    (None, Some("3"))
                );
            }
            Ok(Frame::Server(frame)) => panic!("decoded {frame:?}"),
            Err(error) => panic!("{error}"),
        }
        assert!(
            decode(
                r#"{"command":"subscribed","data":{}}"#,
                &iryo_runtime::__private::Redactor::default()
            )
            .is_err()
        );
    }
}
