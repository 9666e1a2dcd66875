//! The operations of an OpenAPI document as the request renderers need them: path, method,
//! parameters (with `$ref`s resolved), body, and the iryo extensions (`x-iryo-twin`,
//! `x-iryo-effect`, `x-iryo-name`).

use serde_json::Value;

use crate::Error;

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    /// The wire name (`permissionApprovalId`).
    pub name: String,
    /// `path` or `query` (headers and cookies are not rendered).
    pub location: String,
    /// The name errors use (`x-iryo-name`, else the wire name).
    pub error_name: String,
    pub description: Option<String>,
}

/// One operation.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub id: String,
    /// Lower case, as in the document.
    pub method: String,
    /// The path template, `/providers/permissions/{permissionManagementId}`.
    pub path: String,
    pub params: Vec<Param>,
    pub has_body: bool,
    /// `x-iryo-twin`: the operation id of the same operation on the other side.
    pub twin: Option<String>,
    /// `x-iryo-effect`: what a request cut short may have done.
    pub effect: Option<String>,
    pub summary: Option<String>,
}

impl Op {
    /// The side a twin acts for: the path's first segment (`providers` -> `Providers`).
    pub(crate) fn side(&self) -> String {
        let first = self.path.trim_start_matches('/').split('/').next();
        upper_camel(first.unwrap_or_default())
    }

    /// The Rust name of the method progenitor writes and of the operation constant.
    pub(crate) fn snake(&self) -> String {
        crate::operations::screaming_snake(&self.id).to_ascii_lowercase()
    }
}

/// Every operation with an `operationId`, in document order.
pub(crate) fn read(doc: &Value, path: &str) -> Result<Vec<Op>, Error> {
    let mut out = Vec::new();
    for (method, operation, template) in crate::operations::operations_with_paths(doc) {
        let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        let text = |key: &str| {
            operation
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let mut params = Vec::new();
        for param in operation
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let param = resolve(doc, param, path)?;
            let field = |key: &str| param.get(key).and_then(Value::as_str);
            let (Some(name), Some(location)) = (field("name"), field("in")) else {
                return Err(Error::Spec(format!(
                    "{path}: {id}: a parameter without name or in"
                )));
            };
            params.push(Param {
                name: name.to_owned(),
                location: location.to_owned(),
                error_name: field("x-iryo-name").unwrap_or(name).to_owned(),
                description: field("description").map(str::to_owned),
            });
        }
        out.push(Op {
            id: id.to_owned(),
            method: method.to_owned(),
            path: template.to_owned(),
            params,
            has_body: operation.get("requestBody").is_some(),
            twin: text("x-iryo-twin"),
            effect: text("x-iryo-effect"),
            summary: text("summary"),
        });
    }
    Ok(out)
}

/// A `$ref` to `#/components/...`, followed once.
fn resolve<'a>(doc: &'a Value, value: &'a Value, path: &str) -> Result<&'a Value, Error> {
    match value.get("$ref").and_then(Value::as_str) {
        None => Ok(value),
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .ok_or_else(|| Error::Spec(format!("{path}: unresolved $ref {reference}"))),
    }
}

/// `deleteProviderPermission` -> `DeleteProviderPermission`; `providers` -> `Providers`.
pub(crate) fn upper_camel(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The name of a twin pair: both ids without the one word where they differ
/// (`deleteProviderPermission` and `deleteParticipantPermission` -> `DeletePermission`).
pub(crate) fn twin_name(first: &str, second: &str) -> Option<String> {
    let (a, b) = (words(&upper_camel(first)), words(&upper_camel(second)));
    if a.len() != b.len() {
        return None;
    }
    let differing: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    match differing.as_slice() {
        [i] => Some(
            (0..a.len())
                .filter(|j| j != i)
                .map(|j| a[j].as_str())
                .collect(),
        ),
        _ => None,
    }
}

/// `DeleteProviderPermission` -> `["Delete", "Provider", "Permission"]`.
fn words(camel: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in camel.chars() {
        match out.last_mut() {
            Some(word) if !c.is_ascii_uppercase() => word.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twins_are_named_without_the_side_word() {
        assert_eq!(
            twin_name("deleteProviderPermission", "deleteParticipantPermission").as_deref(),
            Some("DeletePermission")
        );
        assert_eq!(
            twin_name(
                "listProviderPermissionRequests",
                "listParticipantPermissionRequests"
            )
            .as_deref(),
            Some("ListPermissionRequests")
        );
        assert_eq!(twin_name("getA", "listB"), None);
        assert_eq!(twin_name("getA", "getAB"), None);
    }
}
