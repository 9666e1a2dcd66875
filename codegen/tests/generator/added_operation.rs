//! An operation added to a copy of `specs/plat/openapi.yaml` becomes a typed request with a
//! client method (`send`), its retry class from the spec and a mock route, and nothing but
//! generated files change: no hand-written client code is needed.

use std::path::Path;

use crate::common::{copy_dir, workspace_root};

/// A provider operation, `PUT` but marked `x-iryo-retry: read`, with a path id and the
/// `location` query, answering one group; its participant twin is the same with the other side.
const ADDED: &str = r#"  /providers/permission/history/{permissionApprovalId}:
    put:
      operationId: listProviderPermissionHistory
      summary: The history of one approval (a test operation)
      x-iryo-twin: listParticipantPermissionHistory
      x-iryo-retry: read
      parameters:
      - $ref: '#/components/parameters/PermissionApprovalId'
      - $ref: '#/components/parameters/Location'
      responses:
        '200':
          $ref: '#/components/responses/PermissionGroup'
        '401':
          $ref: '#/components/responses/Unauthenticated'
"#;

/// [`ADDED`] and its participant twin.
fn added_pair() -> String {
    let twin: String = ADDED
        .lines()
        .filter(|line| !line.contains("x-iryo-twin"))
        .map(|line| {
            line.replace("provider", "participant")
                .replace("Provider", "Participant")
                + "\n"
        })
        .collect();
    format!("{ADDED}{twin}")
}

/// The text without whitespace and trailing commas, so that assertions do not depend on where
/// the printer breaks lines.
fn squeeze(text: &str) -> String {
    let text: String = text.split_whitespace().collect();
    text.replace(",)", ")")
        .replace(",}", "}")
        .replace(",]", "]")
}

fn file(rendered: &codegen::Rendered, path: &str) -> String {
    squeeze(
        rendered
            .files
            .get(Path::new(path))
            .unwrap_or_else(|| panic!("{path} is not rendered")),
    )
}

fn assert_has(text: &str, piece: &str, what: &str) {
    assert!(text.contains(&squeeze(piece)), "{what}: no `{piece}`");
}

#[test]
fn an_added_operation_becomes_a_typed_request_with_its_retry_class_and_a_mock_route() {
    let root = workspace_root();
    let before = codegen::render(&root, Some("plat")).expect("render the workspace");
    let copy = tempfile::tempdir().expect("temp dir");
    copy_dir(&root.join("specs"), &copy.path().join("specs"));
    let spec = copy.path().join("specs/plat/openapi.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let at = text
        .find("  /participants/permissions:\n")
        .expect("an anchor");
    let added = added_pair();
    std::fs::write(&spec, format!("{}{added}{}", &text[..at], &text[at..])).unwrap();
    let after = codegen::render(copy.path(), Some("plat")).expect("render the copy");

    // The typed request: one type for the twins, its fields from the spec, its operation per side.
    let requests = file(&after, "crates/iryo-plat/src/generated/requests.rs");
    for piece in [
        "pub struct ListPermissionHistory<'a> {",
        "pub side: crate::Side,",
        "pub permission_approval_id: &'a str,",
        "pub location: Option<&'a ::iryo_plat_codes::Location>,",
        "impl<'a> ::iryo_runtime::__private::Request for ListPermissionHistory<'a> {",
        "type Answer = types::PermissionGroupAnswer;",
        "match self.side { crate::Side::Providers =>",
        "&super::operations::list_provider_permission_history",
        "&super::operations::list_participant_permission_history",
        r#"vec![("permissionApprovalId", self.permission_approval_id)]"#,
        "raw.list_participant_permission_history(self.permission_approval_id, self.location).await",
        // The client method, through the client's one call path.
        "pub async fn send(&self, client: &crate::Client) -> Result<PermissionGroupResult, crate::Error> {
            client.send(self).await
        }",
    ] {
        assert_has(&requests, piece, "requests.rs");
    }
    // The retry class from `x-iryo-retry`, not from the method (PUT).
    let operations = file(&after, "crates/iryo-plat/src/generated/operations.rs");
    for side in ["provider", "participant"] {
        assert_has(
            &operations,
            &format!(
                "pub const list_{side}_permission_history: ::iryo_runtime::__private::Operation = ::iryo_runtime::__private::Operation {{
                    api: \"plat\",
                    name: \"list{}PermissionHistory\",
                    retry: ::iryo_runtime::__private::RetryClass::Read,
                }};",
                if side == "provider" { "Provider" } else { "Participant" }
            ),
            "operations.rs",
        );
    }
    // The mock's route, its extraction and the one hand-written method it dispatches to.
    let routes = file(&after, "crates/iryo-mock/src/plat/generated/routes.rs");
    for piece in [
        r#".route(&format!("{app}/providers/permission/history/{{permissionApprovalId}}"),
            axum::routing::put(list_provider_permission_history::<S>)"#,
        r#".route(&format!("{app}/participants/permission/history/{{permissionApprovalId}}"),"#,
        "pub(crate) struct ListPermissionHistory {",
        "pub side: Side,",
        "fn list_permission_history(&self, call: Call, request: ListPermissionHistory)",
        "permission_approval_id: segment(path, &uri),",
        r#"location: query.get("location").cloned(),"#,
        "side: Side::Participants }",
    ] {
        assert_has(&routes, piece, "routes.rs");
    }
    // Nothing else to write: every file that changed is generated.
    let changed: Vec<_> = after
        .files
        .iter()
        .filter(|(path, content)| before.files.get(*path) != Some(content))
        .map(|(path, _)| path.clone())
        .collect();
    assert!(changed.len() >= 4, "{changed:?}");
    for path in &changed {
        let generated = path.components().any(|c| c.as_os_str() == "generated");
        assert!(generated, "{} is not generated", path.display());
    }
}
