//! One `tracing` span per HTTP attempt, from the runtime's call path: API, operation, attempt, status and
//! retry delay are there; the token is not, anywhere in what a subscriber sees.

use std::collections::HashMap;
use std::fmt::{Debug, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iryo_mock::Fault;
use iryo_mock::plat::{DEMO_TOKEN, PlatMock};
use iryo_plat::{Config, RetryPolicy, Side};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;

/// Writes every span, field and event it is shown as a line of text.
/// Like a real subscriber it knows the current span (what `Span::current()` answers).
#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
    spans: Arc<Mutex<HashMap<u64, &'static Metadata<'static>>>>,
    entered: Arc<Mutex<Vec<u64>>>,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut line = format!("span {id} {}", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
        self.spans.lock().unwrap().insert(id, span.metadata());
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut line = format!("record {}", span.into_u64());
        values.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = "event".to_owned();
        event.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, _: &Id) {
        self.entered.lock().unwrap().pop();
    }
    fn current_span(&self) -> Current {
        let current = self.entered.lock().unwrap().last().copied();
        match current.and_then(|id| Some((id, *self.spans.lock().unwrap().get(&id)?))) {
            Some((id, metadata)) => Current::new(Id::from_u64(id), metadata),
            None => Current::none(),
        }
    }
}

#[tokio::test]
async fn each_attempt_is_a_span_without_the_token() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = PlatMock::builder().spawn().await.unwrap();
    let client = Config::new(mock.app_url(), DEMO_TOKEN)
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            max_elapsed: Duration::from_secs(10),
            jitter: false,
        })
        .build()
        .unwrap();
    mock.push_fault(Fault::Status(503));
    client
        .permission_approvals(Side::Providers, None, None)
        .await
        .unwrap();
    let lines = capture.lines.lock().unwrap().join("\n");
    let first = lines
        .lines()
        .find(|l| l.contains("iryo.http") && l.contains("attempt=1"))
        .unwrap_or_else(|| panic!("no span for the first attempt:\n{lines}"));
    assert!(
        first.contains("api=\"plat\"")
            && first.contains("operation=\"listProviderPermissionApprovals\""),
        "{first}"
    );
    let id = first.split(' ').nth(1).unwrap();
    assert!(
        lines.contains(&format!("record {id} status=503")),
        "{lines}"
    );
    assert!(
        lines.contains(&format!("record {id} retry_delay_ms=1")),
        "{lines}"
    );
    assert!(lines.contains("attempt=2"), "{lines}");
    assert!(lines.contains("status=200"), "{lines}");
    assert!(
        !lines.contains(DEMO_TOKEN),
        "the token reached a subscriber:\n{lines}"
    );
    assert!(
        !lines.to_ascii_lowercase().contains("authorization"),
        "{lines}"
    );
}
