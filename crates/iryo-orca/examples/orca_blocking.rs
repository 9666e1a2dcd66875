//! The PUSH notifications of the last day, without async code (feature `blocking`).
//!
//! `cargo run -p iryo-orca --features blocking --example orca_blocking` against a server at `ORCA_URL`
//! (default `http://127.0.0.1:8000`, e.g. `iryo mock orca`) as `ORCA_USER` / `ORCA_PASSWORD`
//! (default `ormaster` / `ormaster`).

use iryo_orca::{Client, Credentials, PushEventBody};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let credentials = Credentials::basic(
        var("ORCA_USER", "ormaster"),
        var("ORCA_PASSWORD", "ormaster"),
    );
    let client = Client::new(var("ORCA_URL", "http://127.0.0.1:8000"), credentials)?;
    let client = iryo_orca::blocking::Client::new(client)?;
    let events = client.run(|c| c.push_events().event("patient_accept").send())?;
    for event in &events {
        if let PushEventBody::PatientAccept(body) = &event.body {
            println!("{} {} {:?}", event.uuid, event.time, body.patient_id);
        }
    }
    println!("{} notifications", events.len());
    Ok(())
}
