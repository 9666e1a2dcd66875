//! The routes generated from the spec (`crates/iryo-mock/src/plat/generated/routes.rs`): every
//! path of `dist/specs/plat/openapi.json` serves exactly its methods (any other is an empty 405),
//! behind the gateway's 401; and the bodies are read where they always were (PRV_ROL_002-008
//! before the token, within axum's limit; PRV_ROL_010 after it, within 1 MiB).

use reqwest::Method;
use serde_json::Value;

use crate::common::{mock, send};

/// (path with `1` for every parameter, the methods the spec lists).
fn spec_routes() -> Vec<(String, Vec<Method>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../dist/specs/plat/openapi.json"
    );
    let text = std::fs::read_to_string(path).expect("the published PLAT spec");
    let spec: Value = serde_json::from_str(&text).expect("JSON");
    let paths = spec["paths"].as_object().expect("paths");
    let mut routes = Vec::new();
    for (template, item) in paths {
        let mut concrete = String::new();
        let mut in_param = false;
        for c in template.chars() {
            match c {
                '{' => in_param = true,
                '}' => {
                    in_param = false;
                    concrete.push('1');
                }
                _ if !in_param => concrete.push(c),
                _ => {}
            }
        }
        let methods = ["get", "put", "post", "delete", "patch"]
            .into_iter()
            .filter(|m| item.get(*m).is_some())
            .map(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).unwrap())
            .collect();
        routes.push((format!("/cloudEHR{concrete}"), methods));
    }
    routes
}

#[tokio::test]
async fn every_path_of_the_spec_serves_its_methods_and_only_those() {
    let mock = mock().await;
    let routes = spec_routes();
    assert_eq!(routes.len(), 18, "the spec's paths");
    let served: usize = routes.iter().map(|(_, methods)| methods.len()).sum();
    assert_eq!(served, 23, "the spec's operations");
    let all = [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::DELETE,
        Method::PATCH,
    ];
    for (path, methods) in &routes {
        for method in &all {
            let reply = send(&mock, method.clone(), path, None, "{}").await;
            match methods.contains(method) {
                true => reply.assert_unauthorized(),
                false => reply.assert_empty(405),
            }
        }
    }
    let bearer = Some("Bearer demo-token");
    for (path, methods) in &routes {
        for method in all.iter().filter(|m| !methods.contains(m)) {
            send(&mock, method.clone(), path, bearer, "{}")
                .await
                .assert_empty(405);
        }
    }
}

#[tokio::test]
async fn bodies_are_read_where_they_always_were() {
    let mock = mock().await;
    let big = vec![b' '; 3 * 1024 * 1024];
    // PRV_ROL_002-008: read whole before the token, so too large a body is 413 even without one.
    for (method, path) in [
        (Method::POST, "/cloudEHR/providers/permissions"),
        (Method::POST, "/cloudEHR/participants/permissions/approval"),
        (Method::PUT, "/cloudEHR/providers/permission/approval/1"),
        (
            Method::PUT,
            "/cloudEHR/participants/permission/partialapproval/1",
        ),
    ] {
        let reply = send(&mock, method, path, None, big.clone()).await;
        assert_eq!(reply.status, 413, "{path}");
    }
    // PRV_ROL_010: the token first, then the body (over 1 MiB: an empty 413).
    let path = "/cloudEHR/providers/permission/delete/2";
    send(&mock, Method::PUT, path, None, big.clone())
        .await
        .assert_unauthorized();
    let bearer = Some("Bearer demo-token");
    let reply = send(
        &mock,
        Method::PUT,
        path,
        bearer,
        vec![b' '; 1024 * 1024 + 1],
    )
    .await;
    reply.assert_empty(413);
}
