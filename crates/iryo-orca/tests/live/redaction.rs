//! Server text the feed shows (an `error` frame's code and reason, a close reason, an undecodable
//! frame) goes through the runtime's one path: the credentials the upgrade sent, echoed back, and
//! escape sequences never reach a `LiveError`'s Display or Debug.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use iryo_orca::Credentials;
use iryo_orca::live::{FeedItem, MemoryCheckpoint};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

const PASSWORD: &str = "pw-Secret-77x";
const ESC: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J";

/// Each connection echoes the `Authorization` it received, with escape sequences: the first in
/// an `error` frame (code and reason), the second in an undecodable frame, the third in a close
/// reason.
async fn echoing_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut n = 0;
        while let Ok((tcp, _)) = listener.accept().await {
            n += 1;
            tokio::spawn(echo_one(tcp, n));
        }
    });
    url
}

async fn echo_one(tcp: tokio::net::TcpStream, n: u32) {
    let seen = Arc::new(Mutex::new(String::new()));
    let record = seen.clone();
    // The signature is tungstenite's (its error type is large).
    #[allow(clippy::result_large_err)]
    let callback = move |request: &Request, response: Response| {
        let authorization = request.headers().get("authorization").unwrap();
        *record.lock().unwrap() = authorization.to_str().unwrap().to_owned();
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
        return;
    };
    let basic = seen.lock().unwrap().clone();
    let Some(Ok(Message::Text(subscribe))) = ws.next().await else {
        return;
    };
    let request: serde_json::Value = serde_json::from_str(subscribe.as_str()).unwrap();
    let answer = serde_json::json!({
        "command": "subscribed", "req.id": request["req.id"], "sub.id": "s1"
    });
    ws.send(Message::text(answer.to_string())).await.unwrap();
    let echo = format!("{basic} / ormaster:{PASSWORD} / {PASSWORD}{ESC}");
    let _ = match n {
        1 => {
            let frame = serde_json::json!({
                "command": "error", "code": format!("X_{PASSWORD}{ESC}"), "reason": echo,
            });
            ws.send(Message::text(frame.to_string())).await
        }
        2 => ws.send(Message::text(format!("{{\"not json {echo}"))).await,
        _ => {
            let reason = format!("{PASSWORD}{ESC}");
            ws.send(Message::Close(Some(CloseFrame {
                code: 4000.into(),
                reason: reason.into(),
            })))
            .await
        }
    };
    // Hold the socket until the client goes.
    while let Some(Ok(_)) = ws.next().await {}
}

#[tokio::test]
async fn echoed_credentials_and_escape_sequences_never_reach_an_error() {
    let url = echoing_server().await;
    let mut feed = crate::common::config(&url)
        .credentials(Credentials::basic("ormaster", PASSWORD))
        .build(None, MemoryCheckpoint::new())
        .unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("ormaster:{PASSWORD}"));
    let mut reasons = Vec::new();
    while reasons.len() < 3 {
        if let FeedItem::Reconnecting { reason, .. } = crate::common::item(&mut feed).await.unwrap()
        {
            reasons.push(reason);
        }
    }
    for reason in &reasons {
        for shown in [reason.to_string(), format!("{reason:?}")] {
            assert!(
                !shown.contains(PASSWORD) && !shown.contains(&basic),
                "{shown}"
            );
            assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
            assert!(shown.contains("[REDACTED]"), "{shown}");
        }
    }
}
