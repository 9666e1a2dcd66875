//! The watcher side of the bench, in a process of its own (its peak memory is its own): the
//! live feed handed to one sink through `deliver`, the acknowledgement time of the sampled
//! events written to a file, `done` printed once the parent's count is acknowledged.

use std::io::Write as _;
use std::time::Duration;

use iryo_orca::live::{FeedItem, LiveConfig, LiveFeed, SqliteCheckpoint};
use iryo_orca::{Client, Credentials, PushEvent};
use iryo_orca_deliver::{
    Delivered, DeliveryConfig, ExecSink, PostgresSink, Progress, Sink, Transport, WebhookSink,
    deliver,
};

use crate::{now_ns, sampled};

/// What `iryo orca watch` does without a receiver: the line written and flushed, then
/// acknowledged (here to /dev/null, so that the figure is the watcher's, not a reader's).
struct StdoutSink(std::fs::File);

impl Sink for StdoutSink {
    async fn deliver(&mut self, events: &[PushEvent]) -> Delivered {
        for (n, event) in events.iter().enumerate() {
            let mut line = event.to_json_line().expect("a line");
            line.push('\n');
            if let Err(e) = self.0.write_all(line.as_bytes()) {
                let failure = iryo_orca_deliver::SinkFailure::failed(e.to_string());
                return Delivered::failed_after(n, failure);
            }
        }
        Delivered::all(events.len())
    }
}

/// `--child SINK WS_URL BASE_URL STATE SAMPLE_ALL ACKS_FILE TARGET`: STATE is the SQLite file or
/// the PostgreSQL URL; TARGET the count of events the parent raises.
pub fn run(args: &[String]) {
    let [sink, ws_url, base_url, state, all, acks_file, target] = args else {
        panic!("child arguments: {args:?}");
    };
    let out = Out {
        all: all == "all",
        acks_file: acks_file.clone(),
        target: target.parse().unwrap(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = Client::new(base_url, Credentials::basic("ormaster", "ormaster")).unwrap();
        let config = LiveConfig::new(ws_url.as_str())
            .connect_timeout(Duration::from_secs(30))
            // At 1,000 events/s one minute of events is above the default 8 MiB answer.
            .catch_up_answer_bytes(64 << 20);
        let delivery = DeliveryConfig {
            retry_initial: Duration::from_millis(5),
            retry_max: Duration::from_millis(200),
            ..DeliveryConfig::default()
        };
        let sqlite = || SqliteCheckpoint::open(state).unwrap();
        match sink.as_str() {
            "stdout" => {
                let feed = config.build(Some(client), sqlite()).unwrap();
                let null = std::fs::File::create("/dev/null").unwrap();
                go(feed, StdoutSink(null), &delivery, &out).await;
            }
            "command" => {
                let feed = config.build(Some(client), sqlite()).unwrap();
                let sink = ExecSink::new("cat > /dev/null", "1");
                go(feed, sink, &delivery, &out).await;
            }
            "webhook" => {
                let feed = config.build(Some(client), sqlite()).unwrap();
                let transport = Transport::new("iryo-bench", 1024);
                let url = std::env::var("IRYO_BENCH_WEBHOOK").unwrap();
                let sink = WebhookSink::new(&url, &transport, None).unwrap();
                go(feed, sink, &delivery, &out).await;
            }
            "postgres" => {
                let (sink, checkpoint) = PostgresSink::connect(state, "1").await.unwrap();
                let feed = config.build(Some(client), checkpoint).unwrap();
                go(feed, sink, &delivery, &out).await;
            }
            other => panic!("no sink {other}"),
        }
    });
}

/// What the child reports, and when.
struct Out {
    /// Every event's acknowledgement time, or a sample of them.
    all: bool,
    acks_file: String,
    target: u64,
}

async fn go(mut feed: LiveFeed, mut sink: impl Sink, delivery: &DeliveryConfig, out: &Out) {
    // Connected and caught up before the parent produces.
    loop {
        if let FeedItem::Connected { .. } = feed.next().await.unwrap() {
            break;
        }
    }
    println!("ready");
    let mut acked = 0u64;
    let mut gaps = 0u64;
    let mut samples = Vec::new();
    let stopped = deliver(&mut feed, &mut sink, delivery, |progress| match progress {
        Progress::Acknowledged(events) => {
            let at = now_ns();
            for event in events {
                if out.all || sampled(&event.uuid) {
                    samples.push((event.uuid, at));
                }
            }
            acked += events.len() as u64;
            if acked >= out.target {
                let file = std::fs::File::create(&out.acks_file).unwrap();
                let mut file = std::io::BufWriter::new(file);
                for (uuid, at) in &samples {
                    writeln!(file, "{uuid} {at}").unwrap();
                }
                file.flush().unwrap();
                let peak = iryo_testkit::probe::peak_rss_kib();
                println!("done {acked} {gaps} {peak}");
                std::process::exit(0);
            }
        }
        Progress::Feed(FeedItem::Gap(gap)) => {
            gaps += 1;
            eprintln!("bench watcher: gap {gap}");
        }
        _ => {}
    })
    .await;
    panic!("the delivery stopped: {stopped:?}");
}
