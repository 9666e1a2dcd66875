//! Peak heap of hostile answers, side by side in one run: the client (unknown JSON kept as text)
//! against the same bytes held as `serde_json::Value` (what the client did before). Run with
//! `cargo bench -p iryo-orca --bench hostile_memory`.

use bytes::Bytes;
use iryo_orca::{Config, Credentials, RetryPolicy};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const MIB: f64 = 1024.0 * 1024.0;

fn unknown_event(size: usize) -> Bytes {
    let mut out = br#"[{"data":{"uuid":"2df2ef80-8978-4817-b929-c07e4ba39e6f","id":1,"event":"unheard_of","user":"u","time":"2018-01-24T16:02:53+0900","body":[0"#.to_vec();
    while out.len() < size {
        out.extend_from_slice(b",0");
    }
    out.extend_from_slice(b"]}}]");
    Bytes::from(out)
}

fn peak_above_steady<T>(run: impl FnOnce() -> T) -> (f64, T) {
    let steady = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let value = run();
    let peak = ALLOCATOR.peak_usage().saturating_sub(steady);
    (peak as f64 / MIB, value)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for megabytes in [1, 10, 30] {
        let body = unknown_event(megabytes * 1_000_000);
        let served = body.clone();
        let url = runtime.block_on(iryo_testkit::probe::canned(200, "application/json", served));
        let client = Config::new(url, Credentials::basic("ormaster", "ormaster"))
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let (client_peak, events) =
            peak_above_steady(|| runtime.block_on(client.push_events().send()).unwrap());
        drop(events);
        let (value_peak, value) =
            peak_above_steady(|| serde_json::from_slice::<serde_json::Value>(&body).unwrap());
        drop(value);
        println!(
            "{megabytes:>3} MB unknown event body: client peak {client_peak:7.1} MiB, \
             as serde_json::Value {value_peak:7.1} MiB"
        );
    }
}
