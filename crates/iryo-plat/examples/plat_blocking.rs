//! The permission requests waiting for this organisation's approval, without async code
//! (feature `blocking`).
//!
//! `cargo run -p iryo-plat --features blocking --example plat_blocking` against `PLAT_URL` (default
//! `http://127.0.0.1:8182/cloudEHR`, e.g. `iryo mock plat`) with the Bearer token `PLAT_TOKEN`.

use iryo_plat::{ApprovalStatus, Client, Side};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let client = Client::new(
        var("PLAT_URL", "http://127.0.0.1:8182/cloudEHR"),
        var("PLAT_TOKEN", ""),
    )?;
    let client = iryo_plat::blocking::Client::new(client)?;
    let requested = Some(&ApprovalStatus::Requested);
    let groups = client.run(|c| c.permission_approvals(Side::Providers, requested, None))?;
    for group in &groups {
        for approval in &group.permission_approval {
            println!("{:?}", approval.permission_approval_id);
        }
    }
    println!("{} groups", groups.len());
    Ok(())
}
