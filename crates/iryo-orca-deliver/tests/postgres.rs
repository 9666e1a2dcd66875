//! `PostgresSink` against a real PostgreSQL (a throwaway cluster with a self-signed certificate,
//! or IRYO_TEST_POSTGRES_URL): batches capped at 1,000, repeats dropped, the cursor written with
//! the rows, `sslmode=require` encrypted, `verify-full` refusing a self-signed certificate.
#![cfg(feature = "postgres")]

use std::path::Path;

use iryo_orca::PushEvent;
use iryo_orca::live::Checkpoint as _;
use iryo_orca_deliver::{PostgresSink, Sink as _};
use iryo_testkit::postgres::{TEST_PASSWORD, TestPostgres};

fn events(count: usize) -> Vec<PushEvent> {
    (0..count)
        .map(|n| {
            let data = serde_json::json!({
                "uuid": uuid::Uuid::new_v4(),
                "id": n % 65535 + 1,
                "event": "patient_accept",
                "user": "ormaster",
                "body": { "Patient_ID": format!("{n:05}") },
                "time": format!("2026-12-04T10:{:02}:{:02}+0900", n / 60 % 60, n % 60),
            });
            PushEvent::from_data(serde_json::from_value(data).unwrap()).unwrap()
        })
        .collect()
}

#[tokio::test]
async fn batches_are_capped_repeats_dropped_and_the_cursor_commits_with_the_rows() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let url = format!("{}?sslmode=require", pg.url());
    let (mut sink, mut checkpoint) = PostgresSink::connect(&url, "7").await.unwrap();
    assert!(checkpoint.load().unwrap().last.is_none());
    assert!(
        checkpoint.load().unwrap().covered_until.is_some(),
        "a first start is covered from now"
    );
    let encrypted = pg.psql(
        "SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
         WHERE a.application_name = '' AND a.backend_type = 'client backend'",
    );
    assert_eq!(encrypted.trim(), "t", "sslmode=require is TLS");

    let batch = events(2500);
    let first = sink.deliver(&batch).await;
    assert_eq!(
        (first.acknowledged, first.failure),
        (1000, None),
        "one batch is 1,000 rows"
    );
    let again = sink.deliver(&batch[500..1500]).await;
    assert_eq!(again.acknowledged, 1000);
    assert_eq!(
        pg.psql("SELECT count(*) FROM iryo.orca_events").trim(),
        "1500"
    );
    let latest = &batch[1499];
    assert_eq!(
        pg.psql("SELECT last_uuid FROM iryo.orca_cursor WHERE tenant_id = '7'")
            .trim(),
        latest.uuid.to_string()
    );
    assert_eq!(
        pg.psql("SELECT version FROM iryo.schema_version WHERE component = 'orca_events'")
            .trim(),
        "1"
    );
    let data = pg.psql(&format!(
        "SELECT data->'body'->>'Patient_ID' FROM iryo.orca_events WHERE uuid = '{}'",
        latest.uuid
    ));
    assert_eq!(data.trim(), "01499");

    // A second watcher of the tenant resumes from the committed cursor.
    let (_, mut reopened) = PostgresSink::connect(&url, "7").await.unwrap();
    let cursor = reopened.load().unwrap();
    assert_eq!(cursor.last.map(|a| a.uuid), Some(latest.uuid));
    assert_eq!(cursor.last.map(|a| a.time), Some(latest.time.date_time()));
}

#[tokio::test]
async fn verify_full_refuses_a_self_signed_certificate_and_errors_hide_the_password() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let url = format!("{}?sslmode=verify-full", pg.url());
    let error = PostgresSink::connect(&url, "1")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("certificate") || error.contains("Certificate"),
        "{error}"
    );
    assert!(!error.contains(TEST_PASSWORD), "{error}");
    let error = PostgresSink::connect(&format!("{}&bogus=1", url), "1")
        .await
        .unwrap_err()
        .to_string();
    assert!(!error.contains(TEST_PASSWORD), "{error}");
}

#[tokio::test]
async fn a_rewind_is_written_so_a_restart_resumes_from_the_clock_not_the_old_cursor() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let url = format!("{}?sslmode=disable", pg.url());
    let (mut sink, mut checkpoint) = PostgresSink::connect(&url, "3").await.unwrap();
    let batch = events(10);
    assert_eq!(sink.deliver(&batch).await.acknowledged, 10);
    let ahead = checkpoint.load().unwrap().resume_from().unwrap();
    // The clock is found behind the cursor: the feed rewinds to it.
    let clock = chrono::DateTime::parse_from_rfc3339("2026-12-04T09:00:00+09:00").unwrap();
    checkpoint.rewind(clock).unwrap();
    let started = std::time::Instant::now();
    let query = "SELECT covered_until = '2026-12-04T09:00:00+09:00' AND last_uuid IS NULL \
                 FROM iryo.orca_cursor WHERE tenant_id = '3'";
    while pg.psql(query).trim() != "t" {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the rewind was not written: {}",
            pg.psql("SELECT * FROM iryo.orca_cursor WHERE tenant_id = '3'")
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, mut reopened) = PostgresSink::connect(&url, "3").await.unwrap();
    let resume = reopened.load().unwrap().resume_from().unwrap();
    assert_eq!(resume, clock, "was {ahead} before the rewind");
    // The rows stay and still drop repeats.
    assert_eq!(sink.deliver(&batch).await.acknowledged, 10);
    assert_eq!(
        pg.psql("SELECT count(*) FROM iryo.orca_events WHERE tenant_id = '3'")
            .trim(),
        "10"
    );
}
