//! Two replicas taking the same free tenants at the same moment: one takes each tenant, and the
//! other's take neither deadlocks nor gives up on a lock, whatever order each chose them in.

use std::path::Path;

use iryo_orca_deliver::PostgresConnector;
use iryo_orca_fleet::lease::Leases;
use iryo_testkit::postgres::TestPostgres;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_takes_of_the_same_tenants_each_tenant_once_never_both_refused() {
    let pg = TestPostgres::start(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let connector = PostgresConnector::new(pg.url()).unwrap();
    let session = || async { connector.connect().await.unwrap() };
    let mut a = Leases::new(session().await, uuid::Uuid::new_v4())
        .await
        .unwrap();
    let mut b = Leases::new(session().await, uuid::Uuid::new_v4())
        .await
        .unwrap();
    for round in 0..20 {
        let tenants: Vec<String> = (0..300).map(|n| format!("r{round}-t{n:03}")).collect();
        let (taken_a, taken_b) = tokio::join!(
            a.acquire(&tenants, tenants.len()),
            b.acquire(&tenants, tenants.len())
        );
        // A take may wait for the other's commit, but never fail on it: FREE chooses at random,
        // TAKE locks in one order.
        let taken_a = taken_a.unwrap_or_else(|e| panic!("round {round}, A: {e}"));
        let taken_b = taken_b.unwrap_or_else(|e| panic!("round {round}, B: {e}"));
        let mut all: Vec<&String> = taken_a.iter().chain(&taken_b).collect();
        all.sort();
        all.dedup();
        assert_eq!(
            all.len(),
            taken_a.len() + taken_b.len(),
            "a tenant taken twice"
        );
        assert_eq!(
            all.len(),
            tenants.len(),
            "round {round}: every free tenant is taken"
        );
    }
}
