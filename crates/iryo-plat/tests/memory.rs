//! Hostile bodies just under the 16 MiB limit cost at most 64 MiB above the steady state
//! (unknown keys kept as text). A counting allocator measures the peak during one call.

use bytes::Bytes;
use iryo_plat::{Config, RetryPolicy};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const GOAL: usize = 64 * 1024 * 1024;

fn answer(item: &[u8], size: usize) -> Bytes {
    let mut out = br#"{"permissionApproval":[],"unknown":["#.to_vec();
    out.extend_from_slice(item);
    while out.len() < size {
        out.push(b',');
        out.extend_from_slice(item);
    }
    out.extend_from_slice(b"]}");
    Bytes::from(out)
}

async fn serve(body: Bytes) -> String {
    let base = iryo_testkit::probe::canned(200, "application/json", body).await;
    format!("{base}/cloudEHR")
}

#[tokio::test(flavor = "current_thread")]
async fn fifteen_megabytes_of_objects_or_zeros_stay_within_the_goal() {
    for (item, size) in [(&b"{}"[..], 15_000_000), (&b"0"[..], 14_000_000)] {
        let url = serve(answer(item, size)).await;
        let client = Config::new(url, "token")
            .retry(RetryPolicy::none())
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap();
        let steady = ALLOCATOR.current_usage();
        ALLOCATOR.reset_peak_usage();
        let result = client.delete_provider_permission("16", "x").await.unwrap();
        let peak = ALLOCATOR.peak_usage().saturating_sub(steady);
        eprintln!(
            "{}: peak {:.1} MiB above steady state",
            String::from_utf8_lossy(item),
            peak as f64 / 1048576.0
        );
        assert!(peak < GOAL, "{} MiB", peak >> 20);
        assert!(result.extra.get("unknown").unwrap().get().len() >= size - 100);
    }
}
