//! PLAT's error forms found whatever the HTTP status and however malformed: a body with an
//! `errorCode` key (of any type), an OperationOutcome, or Spring's default error body is an
//! error, never a result. A duplicated key makes the error body fail to decode; it stays an
//! error (see [`Error::MalformedError`]).

use iryo_plat_codes::PlatErrorCode;
use iryo_runtime::{__private::Redactor, UnknownFields};

use crate::Error;
use crate::types::{OperationOutcome, PlatError, PlatErrorBody};

/// A 200 answer: the result, or an error body (fixup `errors-at-any-status`). Implemented by the
/// generator for every answer made of `PlatError` and one result.
pub(crate) trait Answer {
    /// What the caller gets.
    type Ok;
    fn into_result(self) -> Result<Self::Ok, PlatError>;
    /// The keys of the result that no schema lists: an error body may hide there (an `errorCode`
    /// that is not a string, an OperationOutcome that does not decode).
    fn unknown_fields(&self) -> Option<&UnknownFields>;
}

/// The error carried by the keys of a body that decoded as a result (its unknown keys).
pub(crate) fn error_in_fields(status: u16, fields: &UnknownFields) -> Option<Error> {
    if let Some(code) = fields.get("errorCode") {
        return Some(match serde_json::from_str::<String>(code.get()) {
            Ok(code) => Error::Api {
                status,
                code: PlatErrorCode::from(code.as_str()),
                message: fields
                    .get("errorMessage")
                    .and_then(|m| serde_json::from_str(m.get()).ok()),
            },
            Err(_) => malformed(format!(
                "`errorCode` is {}, not a string",
                short(code.get())
            )),
        });
    }
    let resource_type = fields.get("resourceType");
    if resource_type.is_some_and(|t| t.get() == "\"OperationOutcome\"") {
        return Some(
            match serde_json::from_str::<OperationOutcome>(&fields.to_json()) {
                Ok(outcome) => from_error_body(status, PlatErrorBody::OperationOutcome(outcome)),
                Err(e) => malformed(format!("an OperationOutcome that does not decode: {e}")),
            },
        );
    }
    if fields.contains_key("error") && fields.contains_key("status") {
        let error = fields
            .get("error")
            .map(|e| short(e.get()))
            .unwrap_or_default();
        return Some(Error::Http {
            status,
            body_excerpt: format!("Spring error body: {error}"),
        });
    }
    None
}

/// For a body that did not decode as the documented type: an error form, if it is one.
pub(crate) fn error_in_body(body: &[u8], redactor: &Redactor, why: &str) -> Option<Error> {
    let fields: UnknownFields = serde_json::from_slice(body).ok()?;
    let excerpt = redactor.excerpt(body);
    let code = fields
        .get("errorCode")
        .and_then(|c| serde_json::from_str::<String>(c.get()).ok())
        .map(|c| PlatErrorCode::from(c.as_str()));
    let is_error = fields.contains_key("errorCode")
        || fields.contains_key("resourceType")
        || (fields.contains_key("error") && fields.contains_key("status"));
    is_error.then(|| Error::MalformedError {
        code,
        reason: why.to_owned(),
        body_excerpt: excerpt,
    })
}

/// A documented error body as the client's error.
pub(crate) fn from_error_body(status: u16, body: PlatErrorBody) -> Error {
    match body {
        PlatErrorBody::PlatError(error) => Error::Api {
            status,
            code: error.error_code,
            message: error.error_message,
        },
        PlatErrorBody::SpringError(error) => Error::Http {
            status,
            body_excerpt: format!("{} {}", error.error, error.path.unwrap_or_default()),
        },
        PlatErrorBody::OperationOutcome(outcome) => Error::Api {
            status,
            message: outcome
                .issue
                .iter()
                .find_map(|i| i.details.as_ref()?.text.clone()),
            code: outcome.id,
        },
    }
}

/// An error form found in the keys of a decoded result, which keeps no body to quote.
fn malformed(reason: String) -> Error {
    Error::MalformedError {
        code: None,
        reason,
        body_excerpt: String::new(),
    }
}

fn short(text: &str) -> String {
    iryo_runtime::__private::body_excerpt(text.as_bytes())
}
