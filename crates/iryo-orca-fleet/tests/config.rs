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

/// A webhook signing secret in a file (its key: 32 bytes).
const WHSEC: &str = "whsec_dGhlIGtleSBvZiB0aGUgY29uZmlnIHRlc3QncyB3ZWJob29rIQ==";

#[test]
fn webhook_and_command_sinks_are_checked_naming_tenant_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let whsec = dir.path().join("whsec");
    std::fs::write(&whsec, format!("{WHSEC}\n")).unwrap();
    let good = format!(
        "{}[tenants.webhook]\nurl = \"https://hooks.example/orca\"\nsecret_file = \"{}\"\n",
        base(dir.path()).replace(
            "events = [\"patient_accept\"]",
            "events = [\"patient_accept\"]\nsink = \"webhook\""
        ),
        whsec.display()
    );
    let config = parse(&good).unwrap();
    assert_eq!(config.tenants[1].sink, iryo_orca_fleet::SinkKind::Webhook);
    assert_eq!(config.tenants[0].sink, iryo_orca_fleet::SinkKind::Postgres);
    let shown = format!("{config:?}");
    assert!(!shown.contains("dGhlIGtle"), "{shown}");
    let command = good.replace("sink = \"webhook\"", "sink = \"command\"");
    let cases: [(String, &str); 10] = [
        (
            good.replace("https://hooks.example/orca", "ftp://hooks.example/orca"),
            "webhook.url",
        ),
        (
            // Plain http off loopback: the bodies are medical data.
            good.replace("https://hooks.example/orca", "http://hooks.example/orca"),
            "webhook.url",
        ),
        (
            good.replace("https://hooks.example", "https://user:pw@hooks.example"),
            "webhook.url",
        ),
        (
            good.replace("url = \"https://hooks.example/orca\"\n", ""),
            "webhook.url",
        ),
        (
            good.replace(
                "secret_file",
                "secret = \"inline\"\nsecret_env = \"X\"\nsecret_file",
            ),
            "tenant",
        ),
        (
            good.replace(
                "secret_file",
                "secret_env = \"IRYO_FLEET_TEST_UNSET_VAR\"\nsecret_file",
            ),
            "webhook.secret_env",
        ),
        (
            good.replace(
                "secret_file",
                "secret_env = \"IRYO_FLEET_TEST_UNSET_VAR\"\n#",
            ),
            "webhook.secret_env",
        ),
        (format!("{good}timeout_ms = 0\n"), "webhook.timeout_ms"),
        (command.clone(), "command"),
        (
            format!("{command}[tenants.command]\nrun = \"  \"\n"),
            "command.run",
        ),
    ];
    for (text, field) in cases {
        let error = refused(&text);
        assert_eq!(
            (error.tenant.as_deref(), error.field.as_str()),
            (Some("clinic-b"), field),
            "{error}"
        );
        assert!(!error.to_string().contains("dGhlIGtle"), "{error}");
    }
    // A secret file that is not `whsec_<base64>` is refused without showing it.
    std::fs::write(&whsec, "not-a-whsec-9f8e").unwrap();
    let error = refused(&good);
    assert_eq!(error.field, "webhook.secret_file", "{error}");
    assert!(!error.to_string().contains("not-a-whsec"), "{error}");
    // A changed secret changes the tenant (it is restarted on reload).
    std::fs::write(&whsec, WHSEC).unwrap();
    let first = parse(&good).unwrap();
    std::fs::write(&whsec, WHSEC.replace("dGhl", "VGhl")).unwrap();
    let second = parse(&good).unwrap();
    assert!(second.tenants[1].changed_from(&first.tenants[1]));
    assert!(!second.tenants[0].changed_from(&first.tenants[0]));
}

#[test]
fn a_default_webhook_serves_every_tenant_that_sets_none() {
    let dir = tempfile::tempdir().unwrap();
    let whsec = dir.path().join("whsec");
    std::fs::write(&whsec, WHSEC).unwrap();
    let text = base(dir.path()).replace(
        "base_path = \"/api\"\n",
        &format!(
            "base_path = \"/api\"\nsink = \"webhook\"\nwebhook = {{ url = \"http://127.0.0.1:8099/hook\", \
             secret_file = \"{}\" }}\n",
            whsec.display()
        ),
    );
    let config = parse(&text).unwrap();
    assert!(
        config
            .tenants
            .iter()
            .all(|t| t.sink == iryo_orca_fleet::SinkKind::Webhook)
    );
}
