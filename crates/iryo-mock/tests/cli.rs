//! The `iryo-mock` binary: banner, credentials, fixtures, and a clean exit on Ctrl-C.

#[path = "support/binary.rs"]
mod binary;

use std::process::Command;

use binary::{BIN, Running};

#[tokio::test]
async fn orca_prints_its_address_serves_fixtures_and_stops_on_sigint() {
    let (running, banner) = Running::start(&[
        "orca",
        "--port",
        "0",
        "--user",
        "clerk",
        "--password",
        "pw-1",
    ]);
    let rest = banner
        .strip_prefix("ORCA mock listening on http://127.0.0.1:")
        .unwrap_or_default();
    let (port, credentials) = rest.split_once(' ').unwrap_or_default();
    assert!(
        port.parse::<u16>().is_ok_and(|p| p > 0),
        "banner: {banner:?}"
    );
    assert_eq!(credentials, "(user clerk / password pw-1)\n");

    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_default();
    let url = format!("http://127.0.0.1:{port}/api01rv2/pusheventgetv2");
    let body = r#"{"pusheventgetv2req":{"event":"patient_accept","user":"ormaster","start_time":"2018-01-24 13:00","end_time":"2018-01-25 12:59"}}"#;
    let refused = client
        .post(&url)
        .basic_auth("ormaster", Some("ormaster"))
        .body(body)
        .send()
        .await;
    assert_eq!(refused.map(|r| r.status().as_u16()).ok(), Some(401));
    let answer = client
        .post(&url)
        .basic_auth("clerk", Some("pw-1"))
        .body(body)
        .send()
        .await;
    let text = match answer {
        Ok(answer) => answer.text().await.unwrap_or_default(),
        Err(error) => panic!("no answer: {error}"),
    };
    assert!(
        text.starts_with(r#"[{"data":{"uuid":"2df2ef80-8978-4817-b929-c07e4ba39e6f","id":1,"#),
        "{text}"
    );

    assert_eq!(running.interrupt(), Some(0));
}

#[test]
fn a_bad_now_is_refused_with_a_hint() {
    let output = Command::new(BIN)
        .args(["orca", "--port", "0", "--now", "yesterday"])
        .output();
    let Ok(output) = output else {
        panic!("could not run {BIN}")
    };
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("RFC 3339"), "{stderr}");
}

#[test]
fn user_and_password_go_together() {
    let output = Command::new(BIN)
        .args(["orca", "--port", "0", "--user", "clerk"])
        .output();
    let Ok(output) = output else {
        panic!("could not run {BIN}")
    };
    assert_eq!(output.status.code(), Some(2));
}

/// Without a subcommand the binary serves the three mocks, as `iryo mock` does with the same flags.
#[tokio::test]
async fn without_a_subcommand_it_serves_all_three_on_their_ports() {
    let spawned = Command::new(BIN)
        .args(["--orca-port", "0", "--hiyari-port", "0", "--plat-port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = spawned else {
        panic!("could not start {BIN}")
    };
    let mut lines = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        use std::io::BufRead;
        let mut reader = std::io::BufReader::new(stdout);
        for _ in 0..3 {
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            lines.push(line);
        }
    }
    let running = Running::from_child(child);
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_default();
    for (line, (api, start)) in lines.iter().zip([
        ("orca", "ORCA mock listening on http://127.0.0.1:"),
        ("hiyari", "hiyari mock listening on http://127.0.0.1:"),
        ("plat", "PLAT mock listening on http://127.0.0.1:"),
    ]) {
        let rest = line.strip_prefix(start).unwrap_or_default();
        let port: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let url = format!("http://127.0.0.1:{port}/__mock/{api}/requests");
        let answer = client.get(url).send().await;
        let text = match answer {
            Ok(answer) => answer.text().await.unwrap_or_default(),
            Err(error) => panic!("{api} ({line:?}): {error}"),
        };
        assert_eq!(text, r#"{"count":0}"#, "{api}");
    }
    assert_eq!(running.interrupt(), Some(0));
}
