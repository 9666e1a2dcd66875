//! `iryo-mock hiyari`: banner, data-set size, and a clean exit on Ctrl-C.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::{Reply, client};

const BIN: &str = env!("CARGO_BIN_EXE_iryo-mock");

/// Kills the child if a test fails before it has stopped it.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[tokio::test]
async fn hiyari_prints_its_endpoint_serves_the_data_set_and_stops_on_sigint() {
    let spawned = Command::new(BIN)
        .args(["hiyari", "--port", "0", "--generated", "3"])
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut child) = spawned else {
        panic!("could not start {BIN}")
    };
    let stdout = child.stdout.take();
    let mut running = Running(Some(child));

    let mut banner = String::new();
    if let Some(stdout) = stdout {
        let _ = BufReader::new(stdout).read_line(&mut banner);
    }
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

    let Some(mut child) = running.0.take() else {
        unreachable!()
    };
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    assert!(interrupted.is_ok_and(|s| s.success()));
    let (done, exited) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait().map(|status| status.code()));
    });
    // A bound, not a pause: the wait returns as soon as the process exits.
    let code = exited.recv_timeout(Duration::from_secs(20));
    assert_eq!(code.ok().and_then(Result::ok), Some(Some(0)));
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
