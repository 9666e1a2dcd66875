//! One connection: the upgrade, the subscriptions, then frames with the keepalive running.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::config::Resolved;
use super::frames::{ClientFrame, ErrorFrame, EventFrame, ServerFrame, SubscribeFrame};
use super::{FrameId, LiveError};
use crate::Undelivered;
use crate::types::PushEventData;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

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
    ping_interval: Duration,
    pong_timeout: Duration,
    next_ping: Instant,
    /// When the oldest unanswered ping went out.
    awaiting_pong: Option<Instant>,
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
                ping_interval: config.ping_interval,
                pong_timeout: config.pong_timeout,
                next_ping: Instant::now() + config.ping_interval,
                awaiting_pong: None,
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
                    self.early.push_back(Incoming::Undelivered(undelivered));
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
                    self.early.push_back(incoming);
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
            ServerFrame::Error(error) => Ok(Incoming::Error(error)),
            other => Err(LiveError::Protocol(format!(
                "unexpected `{}` frame",
                other.command()
            ))),
        }
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
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| LiveError::Socket(e.to_string()))
    }

    /// Reads until a text frame decodes, answering the keepalive on the way.
    async fn read_frame(&mut self) -> Result<Frame, LiveError> {
        loop {
            let wake = match self.awaiting_pong {
                Some(since) => self.next_ping.min(since + self.pong_timeout),
                None => self.next_ping,
            };
            tokio::select! {
                biased;
                message = self.ws.next() => {
                    let message = match message {
                        Some(Ok(message)) => message,
                        Some(Err(e)) => return Err(LiveError::Socket(e.to_string())),
                        None => return Err(LiveError::Socket("closed by the server".to_owned())),
                    };
                    match message {
                        Message::Text(text) => return decode(text.as_str()),
                        Message::Pong(_) => self.awaiting_pong = None,
                        Message::Close(frame) => {
                            let why = frame.map(|f| format!(" ({} {})", f.code, f.reason)).unwrap_or_default();
                            return Err(LiveError::Socket(format!("closed by the server{why}")));
                        }
                        Message::Binary(_) => return Err(LiveError::Protocol("binary frame".to_owned())),
                        Message::Ping(_) | Message::Frame(_) => {}
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
            self.ws
                .send(Message::Ping(Vec::new().into()))
                .await
                .map_err(|e| LiveError::Socket(e.to_string()))?;
            self.awaiting_pong.get_or_insert(now);
            self.next_ping = now + self.ping_interval;
        }
        Ok(())
    }
}

fn decode(text: &str) -> Result<Frame, LiveError> {
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
            let excerpt = iryo_runtime::body_excerpt(text.as_bytes());
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
        .max_frame_size(Some(config.max_frame_bytes));
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
        Err(e) => Err(LiveError::Socket(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_frame_without_uuid_is_named_not_a_broken_connection() {
        let text = r#"{"command":"event","sub.id":"s1","data":{"id":3,"event":"patient_accept","user":"u","body":{},"time":"2026-01-01T00:00:00+0900"}}"#;
        match decode(text) {
            Ok(Frame::Undelivered(named)) => {
                assert_eq!(
                    (named.uuid.as_deref(), named.id.as_deref()),
                    (None, Some("3"))
                );
            }
            Ok(Frame::Server(frame)) => panic!("decoded {frame:?}"),
            Err(error) => panic!("{error}"),
        }
        assert!(decode(r#"{"command":"subscribed","data":{}}"#).is_err());
    }
}
