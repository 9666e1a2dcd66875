//! `iryo mock`: starts, prints its URLs, answers, and stops on SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{assert_no_secrets, iryo};

const DEADLINE: Duration = Duration::from_secs(30);

/// Kills the child if the test fails half-way.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

#[test]
fn mock_serves_the_three_apis_until_sigint() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iryo"))
        .args([
            "mock",
            "--orca-port",
            "0",
            "--hiyari-port",
            "0",
            "--plat-port",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut running = Running(child);
    let (lines, banner) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                return;
            }
        }
    });

    // The banner ends with the three example commands.
    let deadline = Instant::now() + DEADLINE;
    let mut printed = Vec::new();
    while printed
        .iter()
        .filter(|l: &&String| l.contains(" --base-url "))
        .count()
        < 3
    {
        let left = deadline.saturating_duration_since(Instant::now());
        printed.push(
            banner
                .recv_timeout(left)
                .expect("the banner within the deadline"),
        );
    }
    let url = |name: &str| -> String {
        let line = printed.iter().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().to_owned()
    };
    let (orca, hiyari, plat) = (url("ORCA "), url("hiyari "), url("PLAT "));
    assert!(orca.starts_with("http://127.0.0.1:"), "{orca}");
    assert!(hiyari.starts_with("http://127.0.0.1:"), "{hiyari}");
    assert!(
        plat.starts_with("http://127.0.0.1:") && plat.ends_with("/cloudEHR"),
        "{plat}"
    );
    let banner_text = printed.join("\n");
    assert!(banner_text.contains("password ormaster"), "{banner_text}");
    assert!(
        banner_text.contains("Bearer token demo-token"),
        "{banner_text}"
    );
    assert!(
        banner_text.contains(&format!(
            "orca push-events --base-url {orca} --event patient_accept"
        )),
        "{banner_text}"
    );

    // The document's ORCA request, with the mock's demo account.
    let run = iryo(&[
        "orca",
        "push-events",
        "--base-url",
        &orca,
        "--event",
        "patient_accept",
        "--user",
        "ormaster",
        "--start",
        "2018-01-24 13:00",
        "--end",
        "2018-01-25 12:59",
    ])
    .env("ORCA_USER", "ormaster")
    .env("ORCA_PASSWORD", "ormaster")
    .run();
    run.assert_quiet_success();
    let ids: Vec<i64> = run
        .json_lines()
        .iter()
        .map(|l| l["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1, 10]);
    let run = iryo(&["hiyari", "search", "--base-url", &hiyari, "--count", "1"]).run();
    run.assert_quiet_success();
    assert_eq!(run.json_lines()[0]["DATYEAR"], "2009");

    // SIGINT stops it with exit code 0.
    let pid = running.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = loop {
        if let Some(status) = running.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "iryo mock did not stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let mut errors = String::new();
    std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut errors).unwrap();
    assert_eq!(errors, "mock servers stopped\n");
    assert_no_secrets(&banner_text, &errors);
}
