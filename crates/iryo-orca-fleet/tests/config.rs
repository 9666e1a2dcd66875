//! The configuration file: defaults applied, secrets read by reference, every mistake refused
//! before anything starts with the tenant and the field named, and no secret in any message.

use iryo_orca_fleet::{ConfigError, FleetConfig};

const SECRET: &str = "s3cret-Pw-9d2f";

fn parse(text: &str) -> Result<FleetConfig, ConfigError> {
    FleetConfig::parse(text)
}

fn refused(text: &str) -> ConfigError {
    let error = parse(text).expect_err("refused");
    assert!(!error.to_string().contains(SECRET), "{error}");
    error
}

fn base(dir: &std::path::Path) -> String {
    let password = dir.join("pw");
    std::fs::write(&password, format!("{SECRET}\n")).unwrap();
    format!(
        "[defaults]\nws_url = \"ws://127.0.0.1:9400/ws\"\nbase_url = \"http://127.0.0.1:8000\"\n\
         base_path = \"/api\"\nuser = \"ormaster\"\npassword_file = \"{}\"\n\n\
         [[tenants]]\nid = \"clinic-a\"\ntenant_header = \"101\"\n\n\
         [[tenants]]\nid = \"clinic-b\"\ntenant_header = \"102\"\nevents = [\"patient_accept\"]\n\
         ws_url = \"wss://b.example/ws\"\n",
        password.display()
    )
}

#[test]
fn defaults_apply_and_a_tenant_overrides_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = parse(&base(dir.path())).unwrap();
    let ids: Vec<&str> = config.tenants.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["clinic-a", "clinic-b"]);
    assert_eq!(config.tenants[0].ws_url, "ws://127.0.0.1:9400/ws");
    assert_eq!(config.tenants[1].ws_url, "wss://b.example/ws");
    assert_eq!(config.tenants[1].tenant_header, "102");
    assert_eq!(config.tenants[0].fields.base_path.as_deref(), Some("/api"));
    let shown = format!("{config:?}");
    assert!(!shown.contains(SECRET), "{shown}");
}

#[test]
fn mistakes_name_the_tenant_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let good = base(dir.path());
    let cases: [(String, Option<&str>, &str); 9] = [
        (
            good.replace("\"101\"", "\"1x\""),
            Some("clinic-a"),
            "tenant_header",
        ),
        (
            good.replace("wss://b.example/ws", "https://b.example/ws"),
            Some("clinic-b"),
            "ws_url",
        ),
        (
            good.replace("id = \"clinic-b\"", "id = \"clinic-a\""),
            Some("clinic-a"),
            "id",
        ),
        (
            good.replace("id = \"clinic-b\"", "id = \"clinic b\""),
            Some("clinic b"),
            "id",
        ),
        (
            good.replace("events = [\"patient_accept\"]", "password = \"inline\""),
            Some("clinic-b"),
            "tenant",
        ),
        (
            good.replace(
                "events = [\"patient_accept\"]",
                "password_env = \"IRYO_FLEET_TEST_UNSET_VAR\"",
            ),
            Some("clinic-b"),
            "password_env",
        ),
        (
            good.replace(
                "events = [\"patient_accept\"]",
                "password_file = \"/nonexistent/pw\"",
            ),
            Some("clinic-b"),
            "password_file",
        ),
        (
            format!(
                "{good}[tenants.client_cert]\npkcs12_file = \"/nonexistent.p12\"\npassword_file = \"/nonexistent/pw\"\n"
            ),
            Some("clinic-b"),
            "client_cert.password_file",
        ),
        (
            good.replace(
                "[[tenants]]\nid = \"clinic-a\"",
                "[[tenants]]\nsink = \"kafka\"\nid = \"clinic-a\"",
            ),
            Some("clinic-a"),
            "tenant",
        ),
    ];
    for (text, tenant, field) in cases {
        let error = refused(&text);
        assert_eq!(
            (error.tenant.as_deref(), error.field.as_str()),
            (tenant, field),
            "{error}"
        );
    }
    let error = refused("[defaults]\nws_url = \"ws://x/ws\"\n");
    assert_eq!((error.tenant, error.field.as_str()), (None, "tenants"));
    let error = refused("not toml [");
    assert_eq!(error.field, "file");
}

#[test]
fn a_password_file_that_changed_changes_the_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let text = base(dir.path());
    let first = parse(&text).unwrap();
    std::fs::write(dir.path().join("pw"), "another-password").unwrap();
    let second = parse(&text).unwrap();
    assert!(second.tenants[0].changed_from(&first.tenants[0]));
    let third = parse(&text).unwrap();
    assert!(!third.tenants[0].changed_from(&second.tenants[0]));
}

#[test]
fn the_published_example_is_read_up_to_its_first_secret() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../specs/orca/fleet.example.toml"
    );
    let error =
        parse(&std::fs::read_to_string(path).unwrap()).expect_err("its secrets are not here");
    assert_eq!(
        (error.tenant.as_deref(), error.field.as_str()),
        (Some("clinic-0101"), "password_env"),
        "{error}"
    );
}
