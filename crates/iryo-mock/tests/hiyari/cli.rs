//! `iryo-mock hiyari`: banner, data-set size, and a clean exit on Ctrl-C.

use std::process::Command;

use crate::binary::{BIN, Running};
use crate::common::{Reply, client};

#[tokio::test]
async fn hiyari_prints_its_endpoint_serves_the_data_set_and_stops_on_sigint() {
    let (running, banner) = Running::start(&["hiyari", "--port", "0", "--generated", "3"]);
    let rest = banner
        .strip_prefix("hiyari mock listening on http://127.0.0.1:")
        .unwrap_or_default();
    let (port, path) = rest.split_once('/').unwrap_or_default();
    assert!(
        port.parse::<u16>().is_ok_and(|p| p > 0),
        "banner: {banner:?}"
    );
    assert_eq!(path, "phsearch/SearchReportApi.action\n");

    let url = format!("http://127.0.0.1:{port}/phsearch/SearchReportApi.action?count=all&order=2");
    let response = match client().get(url).send().await {
        Ok(response) => response,
        Err(error) => panic!("no answer: {error}"),
    };
    let reply = Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default(),
    };
    assert_eq!(reply.months(), ["2013-12", "2011-07", "2009-02", "2009-01"]);
    assert_eq!(reply.counts().total, 4);

    assert_eq!(running.interrupt(), Some(0));
}

#[test]
fn a_bad_path_is_refused() {
    let output = Command::new(BIN)
        .args(["hiyari", "--port", "0", "--path", "phsearch"])
        .output();
    let Ok(output) = output else {
        panic!("could not run {BIN}")
    };
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must start with /"), "{stderr}");
}
