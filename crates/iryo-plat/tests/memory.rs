//! Hostile bodies just under the 16 MiB limit cost at most 64 MiB above the steady state: an
//! answer of millions of list items is refused before decoding ([`Error::TooManyItems`], naming
//! the count and the limit), and a legal answer just under the limit is typed within the goal.
//! A counting allocator measures the peak during one call.

use bytes::Bytes;
use iryo_plat::{Config, Error, MAX_LIST_ITEMS, RetryPolicy};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const GOAL: usize = 64 * 1024 * 1024;

/// The allocator counts the whole process: the tests measure one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `{"permissionApproval":[...],"unknown":[...]}` with `items` repeated up to `size` bytes in one
/// of the two lists (`typed` picks `permissionApproval`).
fn answer(item: &[u8], size: usize, typed: bool) -> Bytes {
    let mut list = item.to_vec();
    while list.len() < size {
        list.push(b',');
        list.extend_from_slice(item);
    }
    let (approvals, unknown) = if typed {
        (list, Vec::new())
    } else {
        (Vec::new(), list)
    };
    let mut out = br#"{"permissionApproval":["#.to_vec();
    out.extend_from_slice(&approvals);
    out.extend_from_slice(br#"],"unknown":["#);
    out.extend_from_slice(&unknown);
    out.extend_from_slice(b"]}");
    Bytes::from(out)
}

async fn serve(body: Bytes) -> String {
    let base = iryo_testkit::probe::canned(200, "application/json", body).await;
    format!("{base}/cloudEHR")
}

/// The call's outcome and its peak above the steady state.
async fn call(
    body: Bytes,
) -> (
    Result<iryo_plat::types::PermissionGroupResult, Error>,
    usize,
) {
    // One small call first: what the first call of a process sets up once (the resolver, the
    // runtime's and the HTTP stack's buffers) is steady state, not the answer's cost.
    let warm = client_of(serve(Bytes::from_static(b"{}")).await);
    let _ = warm.delete_provider_permission("16", "x").await;
    let client = client_of(serve(body).await);
    let steady = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let result = client.delete_provider_permission("16", "x").await;
    (result, ALLOCATOR.peak_usage().saturating_sub(steady))
}

fn client_of(url: String) -> iryo_plat::Client {
    Config::new(url, "token")
        .retry(RetryPolicy::none())
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .unwrap()
}

const APPROVAL: &[u8] = br#"{"permissionApprovalId":2,"status":"1","allowablePersonalId":"db04b087-52ee-4d69-9861-07e4d3db325e","approverPersonalId":"db04b087-52ee-4d69-9861-07e4d3db325e","approvedDatetime":"Oct 7, 2021, 8:02:04 PM"}"#;

#[tokio::test(flavor = "current_thread")]
async fn millions_of_items_are_refused_before_decoding_naming_count_and_limit() {
    let _alone = ONE_AT_A_TIME.lock().await;
    for (item, size, typed) in [
        (&b"{}"[..], 15_000_000, true), // 5 million approvals: 2.1-2.5 GB typed
        (&b"{}"[..], 15_000_000, false),
        (&b"0"[..], 14_000_000, false),
    ] {
        let (result, peak) = call(answer(item, size, typed)).await;
        let shown = String::from_utf8_lossy(item);
        eprintln!(
            "{shown} x {size} bytes (typed list: {typed}): peak {:.1} MiB above steady state",
            peak as f64 / 1048576.0
        );
        match result {
            Err(Error::TooManyItems { count, limit }) => {
                assert!(count > 4_000_000, "{count}");
                assert_eq!(limit, MAX_LIST_ITEMS);
            }
            other => panic!("{shown}: {other:?}"),
        }
        // Read whole (the answer once), never decoded.
        assert!(peak < size + size / 4, "{} MiB", peak >> 20);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_legal_answer_just_under_the_item_limit_is_typed_within_the_goal() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let items = MAX_LIST_ITEMS as usize - 1;
    let size = items * (APPROVAL.len() + 1) - 1;
    let (result, peak) = call(answer(APPROVAL, size, true)).await;
    eprintln!(
        "{items} approvals ({size} bytes): peak {:.1} MiB above steady state",
        peak as f64 / 1048576.0
    );
    assert_eq!(result.unwrap().permission_approval.len(), items);
    assert!(peak < GOAL, "{} MiB", peak >> 20);
}
