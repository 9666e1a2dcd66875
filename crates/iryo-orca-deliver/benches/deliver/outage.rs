//! The watcher's peak memory while its webhook receiver is down and events keep coming at
//! 1,000/s, then the time it takes to deliver them all once the receiver is back.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use iryo_testkit::probe::peak_rss_kib_of;

use crate::{Bench, RATE, event_body, mock};

/// Events before the outage, and after it.
const AROUND: Duration = Duration::from_secs(5);

pub fn run(bench: &Bench, seconds: u64) {
    let outage = Duration::from_secs(seconds);
    let mock = bench.runtime.block_on(mock());
    let total = RATE * (2 * AROUND + outage).as_secs();
    let watcher = bench.start(&mock, "webhook", false, total);
    let live = mock.live();
    let pid = watcher.pid();
    let started = Instant::now();
    let mut peaks = Vec::new();
    let mut next_probe = AROUND;
    let mut back = None;
    for n in 0..total {
        let due = Duration::from_micros(n * 1_000_000 / RATE);
        std::thread::sleep(due.saturating_sub(started.elapsed()));
        let down = due >= AROUND && due < AROUND + outage;
        if bench.down.swap(down, Ordering::SeqCst) && !down {
            back = Some(Instant::now());
        }
        if due >= next_probe && due <= AROUND + outage {
            peaks.push((due.saturating_sub(AROUND).as_secs(), peak_rss_kib_of(pid)));
            next_probe += outage / 10;
        }
        live.raise("patient_accept", event_body(n));
    }
    let (peak_kib, _) = watcher.finish();
    let back = back.expect("the receiver came back");
    println!();
    println!(
        "webhook receiver down for {seconds} s at {RATE} events/s ({total} events in all): \
         watcher peak memory at each tenth of the outage (s: MiB):"
    );
    let series: Vec<String> = peaks
        .iter()
        .map(|(at, kib)| format!("{at}: {:.1}", *kib as f64 / 1024.0))
        .collect();
    println!("{}", series.join(", "));
    println!(
        "all {total} delivered {:.1} s after the receiver came back; watcher peak {:.1} MiB",
        back.elapsed().as_secs_f64(),
        peak_kib as f64 / 1024.0
    );
}
