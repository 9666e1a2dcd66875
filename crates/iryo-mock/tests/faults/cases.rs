//! What a plain HTTP client observes for each fault, written once and run against every mock (see `main.rs`).
//! Each case also checks that the fault was used by exactly one request and that the next one is normal.

use std::io;
use std::time::Duration;

use iryo_mock::Fault;
use tokio::io::AsyncReadExt;

use crate::common::{
    LONG, SHORT, Subject, exchange, io_kinds, open, read_head_and, read_to_end, send, within,
};

/// The answer body of a normal request, read raw.
async fn normal_body(subject: &Subject) -> Vec<u8> {
    let raw = exchange(subject.addr(), &subject.raw_request()).await;
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    raw.split().1.to_vec()
}

pub async fn status(subject: Subject) {
    subject.push(Fault::Status(502));
    let reply = send(subject.request()).await;
    assert_eq!(reply.status, 502);
    assert_eq!(reply.header("content-length"), Some("0"));
    assert!(reply.body.is_empty());
    assert_eq!(subject.requests(), 1);
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 2);
    subject.shutdown().await;
}

pub async fn html(subject: Subject) {
    subject.push(Fault::Html(503));
    let reply = send(subject.request()).await;
    assert_eq!(reply.status, 503);
    let content_type = reply.header("content-type");
    assert_eq!(content_type, Some("text/html; charset=utf-8"));
    let page = String::from_utf8_lossy(&reply.body);
    assert!(page.starts_with("<html>"), "{page}");
    assert!(page.contains("<h1>503 Service Unavailable</h1>"), "{page}");
    assert!(page.trim_end().ends_with("</html>"), "{page}");
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 2);
    subject.shutdown().await;
}

pub async fn retry_after(subject: Subject) {
    subject.push_all(vec![
        Fault::RetryAfter {
            status: 503,
            seconds: 120,
        },
        Fault::RetryAfter {
            status: 429,
            seconds: 0,
        },
    ]);
    for (status, seconds) in [(503, "120"), (429, "0")] {
        let reply = send(subject.request()).await;
        assert_eq!(reply.status, status);
        assert_eq!(reply.header("retry-after"), Some(seconds));
        assert_eq!(reply.header("content-length"), Some("0"));
        assert!(reply.body.is_empty());
    }
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 3);
    subject.shutdown().await;
}

pub async fn wrong_content_type(subject: Subject) {
    subject.push(Fault::WrongContentType);
    let reply = send(subject.request()).await;
    let wrong = Some(subject.wrong_content_type());
    assert_eq!(reply.header("content-type"), wrong);
    // Apart from the label, it is the normal answer.
    let right = Some(subject.content_type());
    subject.assert_normal(reply.status, right, &reply.body);
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 2);
    subject.shutdown().await;
}

pub async fn reset_before_response(subject: Subject) {
    subject.push(Fault::ResetBeforeResponse);
    let raw = exchange(subject.addr(), &subject.raw_request()).await;
    assert!(
        raw.bytes.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&raw.bytes)
    );
    let kind = raw.end.as_ref().map_err(io::Error::kind);
    assert_eq!(kind, Err(io::ErrorKind::ConnectionReset));
    assert_eq!(subject.requests(), 1);

    subject.push(Fault::ResetBeforeResponse);
    let error = match subject.request().send().await {
        Ok(response) => panic!("an answer came: {response:?}"),
        Err(error) => error,
    };
    // reqwest: a Request error whose source is hyper's `Io` error, `ConnectionReset`.
    assert!(error.is_request(), "{error:?}");
    assert!(!error.is_timeout(), "{error:?}");
    let kinds = io_kinds(&error);
    assert!(kinds.contains(&io::ErrorKind::ConnectionReset), "{error:?}");
    assert_eq!(subject.requests(), 2);
    subject.assert_answers_normally().await;
    subject.shutdown().await;
}

pub async fn cut_body(subject: Subject) {
    subject.push(Fault::CutBody { after_bytes: 10 });
    let raw = exchange(subject.addr(), &subject.raw_request()).await;
    assert!(raw.end.is_ok(), "a clean end of stream: {:?}", raw.end);
    assert_eq!(raw.status(), 200);
    assert_eq!(
        raw.header("content-type").as_deref(),
        Some(subject.content_type())
    );
    assert_eq!(raw.header("transfer-encoding"), None);
    let full = normal_body(&subject).await;
    let promised: Option<usize> = raw.header("content-length").and_then(|n| n.parse().ok());
    if subject.name() == "plat" {
        // Each deletion adds a comment to the group, so the next answer is longer.
        assert!(
            promised.is_some_and(|n| n > 10 && n < full.len()),
            "{promised:?}"
        );
    } else {
        assert_eq!(promised, Some(full.len()), "the full length is announced");
    }
    let (_, body) = raw.split();
    assert_eq!(body.len(), 10, "exactly ten body bytes");
    assert_eq!(body, &full[..10]);

    subject.push(Fault::CutBody { after_bytes: 10 });
    let response = match subject.request().send().await {
        Ok(response) => response,
        Err(error) => panic!("the head should arrive: {error:?}"),
    };
    assert_eq!(response.status(), 200);
    let error = match response.bytes().await {
        Ok(body) => panic!("a cut body was read whole: {} bytes", body.len()),
        Err(error) => error,
    };
    // reqwest: a Decode error whose source is hyper's IncompleteBody, an `UnexpectedEof`.
    assert!(error.is_decode(), "{error:?}");
    let kinds = io_kinds(&error);
    assert!(kinds.contains(&io::ErrorKind::UnexpectedEof), "{error:?}");
    assert!(!error.is_timeout(), "{error:?}");
    assert_eq!(subject.requests(), 3);

    // A cut beyond the end sends the whole answer, then closes.
    subject.push(Fault::CutBody {
        after_bytes: 10_000_000,
    });
    let raw = exchange(subject.addr(), &subject.raw_request()).await;
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    let promised = raw.header("content-length").and_then(|n| n.parse().ok());
    assert_eq!(promised, Some(raw.split().1.len()));
    subject.assert_answers_normally().await;
    subject.shutdown().await;
}

pub async fn stall_before_headers(subject: Subject) {
    subject.push(Fault::StallBeforeHeaders(LONG));
    let error = match subject.request().timeout(SHORT).send().await {
        Ok(response) => panic!("an answer came: {response:?}"),
        Err(error) => error,
    };
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(subject.requests(), 1);
    // The next request is not held up by the stalled one.
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 2);

    // A short stall ends in the normal answer.
    subject.push(Fault::StallBeforeHeaders(Duration::from_millis(20)));
    subject.assert_answers_normally().await;
    subject.shutdown().await;
}

pub async fn stall_mid_body(subject: Subject) {
    subject.push(Fault::StallMidBody {
        after_bytes: 10,
        stall: LONG,
    });
    let mut stream = open(subject.addr(), &subject.raw_request()).await;
    let raw = read_head_and(&mut stream, 10).await;
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.split().1.len(), 10, "the prefix, and nothing more");
    let mut more = [0; 1];
    let next = tokio::time::timeout(SHORT, stream.read(&mut more)).await;
    assert!(next.is_err(), "nothing comes during the stall: {next:?}");
    drop(stream);

    subject.push(Fault::StallMidBody {
        after_bytes: 10,
        stall: LONG,
    });
    let response = match subject.request().timeout(SHORT).send().await {
        Ok(response) => response,
        Err(error) => panic!("the head should arrive: {error:?}"),
    };
    assert_eq!(response.status(), 200);
    let error = match response.bytes().await {
        Ok(body) => panic!("a stalled body was read whole: {} bytes", body.len()),
        Err(error) => error,
    };
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(subject.requests(), 2);

    // A short stall ends, then the rest follows.
    subject.push(Fault::StallMidBody {
        after_bytes: 10,
        stall: Duration::from_millis(20),
    });
    subject.assert_answers_normally().await;
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 4);
    subject.shutdown().await;
}

pub async fn invalid_shift_jis(subject: Subject) {
    subject.push(Fault::InvalidShiftJis);
    let reply = send(subject.request()).await;
    assert_eq!(reply.status, 200);
    let Some(at) = reply.body.windows(3).position(|w| w == [0x81, 0x20, 0xFF]) else {
        panic!(
            "no invalid bytes in {:?}",
            String::from_utf8_lossy(&reply.body)
        );
    };
    match subject.name() {
        "hiyari" => {
            let text = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&reply.body);
            assert!(text.1, "the body does not decode as Shift_JIS");
            let after = &reply.body[at + 3..];
            assert!(
                after.starts_with(b"</DATCONTENTTEXT>"),
                "at the end of the report's free text"
            );
        }
        _ => {
            assert!(std::str::from_utf8(&reply.body).is_err(), "not UTF-8");
            assert!(serde_json::from_slice::<serde_json::Value>(&reply.body).is_err());
            assert_eq!(&reply.body[at - 2..at], b":\"", "inside a JSON string");
        }
    }
    // Without the three bytes, it is the normal answer.
    let mut repaired = reply.body.clone();
    repaired.drain(at..at + 3);
    subject.assert_normal(reply.status, reply.header("content-type"), &repaired);
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 2);
    subject.shutdown().await;
}

pub async fn oversized(subject: Subject) {
    const BYTES: usize = 200_000;
    subject.push_all(vec![
        Fault::Oversized {
            bytes: BYTES,
            chunked: false,
        },
        Fault::Oversized {
            bytes: BYTES,
            chunked: true,
        },
    ]);
    let raw = exchange(subject.addr(), &subject.raw_request()).await;
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.header("transfer-encoding"), None);
    let (_, body) = raw.split();
    assert!(body.len() >= BYTES, "{}", body.len());
    let length = raw.header("content-length").and_then(|n| n.parse().ok());
    assert_eq!(length, Some(body.len()));

    let raw = exchange(subject.addr(), &subject.raw_request()).await;
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    assert_eq!(raw.header("content-length"), None, "the client must count");
    assert_eq!(raw.header("transfer-encoding").as_deref(), Some("chunked"));

    // reqwest reads both the same way; the answers are well formed and as long as asked.
    subject.push_all(vec![
        Fault::Oversized {
            bytes: BYTES,
            chunked: false,
        },
        Fault::Oversized {
            bytes: BYTES,
            chunked: true,
        },
    ]);
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let reply = send(subject.request()).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some(subject.content_type()));
        assert!(reply.body.len() >= BYTES, "{}", reply.body.len());
        subject.assert_well_formed(&reply.body);
        bodies.push(reply.body);
    }
    assert_eq!(bodies[0], bodies[1], "the same answer, framed two ways");
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 5);
    subject.shutdown().await;
}

pub async fn queue(subject: Subject) {
    subject.push_all(vec![
        Fault::Status(500),
        Fault::Html(502),
        Fault::RetryAfter {
            status: 503,
            seconds: 1,
        },
    ]);
    subject.push(Fault::Status(504));
    for expected in [500, 502, 503, 504] {
        assert_eq!(send(subject.request()).await.status, expected);
    }
    subject.assert_answers_normally().await;
    subject.assert_answers_normally().await;
    assert_eq!(subject.requests(), 6);
    subject.shutdown().await;
}

/// Stopping the mock ends a stall in progress at once, before or during the body.
pub async fn stop_ends_stalls(subject: Subject) {
    subject.push_all(vec![
        Fault::StallMidBody {
            after_bytes: 10,
            stall: LONG,
        },
        Fault::StallBeforeHeaders(LONG),
    ]);
    let mut mid_body = open(subject.addr(), &subject.raw_request()).await;
    let raw = read_head_and(&mut mid_body, 10).await;
    assert!(raw.end.is_ok(), "{:?}", raw.end);
    let mut before_headers = open(subject.addr(), &subject.raw_request()).await;
    within("the second request to arrive", async {
        while subject.requests() < 2 {
            tokio::task::yield_now().await;
        }
    })
    .await;
    // Guarded by `within`: a stall that outlived the stop would take ten seconds.
    subject.shutdown().await;
    let rest = read_to_end(&mut mid_body).await;
    assert!(rest.bytes.is_empty(), "nothing after the stop");
    let cut = read_to_end(&mut before_headers).await;
    assert!(cut.bytes.is_empty(), "no answer after the stop");
    let kind = cut.end.as_ref().map_err(io::Error::kind);
    assert_eq!(kind, Err(io::ErrorKind::ConnectionReset));
}
