//! Helpers of the fleet tests: a multi-tenant mock and the TOML that describes its tenants.

#![allow(dead_code)]

use std::path::Path;
use std::time::{Duration, Instant};

use iryo_mock::orca::{Clock, OrcaMock};

/// The tenant ids of `count` tenants: `clinic-000` … and headers 100 ….
pub fn tenant(n: usize) -> (String, String) {
    (format!("clinic-{n:03}"), format!("{}", 100 + n))
}

/// A mock serving `count` tenants, each with its own account `user{header}` / `pw-{header}`,
/// on the machine's clock (the catch-up after a takeover needs real times).
pub async fn mock(count: usize) -> OrcaMock {
    let mut builder = OrcaMock::builder().fixtures(false).clock(Clock::System);
    for n in 0..count {
        let (_, header) = tenant(n);
        builder = builder.tenant(&header, format!("user{header}"), format!("pw-{header}"));
    }
    builder.spawn().await.expect("the mock starts")
}

/// The TOML of `tenants` on `mock`, passwords in files under `dir`.
pub fn config(mock: &OrcaMock, tenants: impl IntoIterator<Item = usize>, dir: &Path) -> String {
    config_with(mock, tenants, dir, |_| String::new())
}

/// [`config`] with `extra(n)` appended to tenant `n`'s table (its sink, say).
pub fn config_with(
    mock: &OrcaMock,
    tenants: impl IntoIterator<Item = usize>,
    dir: &Path,
    extra: impl Fn(usize) -> String,
) -> String {
    let mut text = format!(
        "[defaults]\nws_url = \"{}\"\nbase_url = \"{}\"\nsink = \"postgres\"\n",
        mock.ws_url(),
        mock.base_url()
    );
    for n in tenants {
        let (id, header) = tenant(n);
        let password = dir.join(format!("{id}.password"));
        std::fs::write(&password, format!("pw-{header}\n")).expect("the password file");
        text.push_str(&format!(
            "\n[[tenants]]\nid = \"{id}\"\ntenant_header = \"{header}\"\nuser = \"user{header}\"\n\
             password_file = \"{}\"\n{}",
            password.display(),
            extra(n)
        ));
    }
    text
}

/// Polls `done` every 50 ms until it holds or `limit` passes; the time it took.
pub async fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}
