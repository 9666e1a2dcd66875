//! The API paths: read the raw parameters, search, and answer a Shift_JIS `ResultSet`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use encoding_rs::SHIFT_JIS;

use super::faults::{self, HiyariWire};
use super::report::{escape_into, write_element};
use super::{Failure, RecordedRequest, Shared, params, query, search};
use crate::Fault;
use crate::fault::Connection;
use crate::harness::Injected;

/// The `Content-Type` of every XML answer.
pub(crate) const XML_CONTENT_TYPE: &str = "text/xml; charset=Shift_JIS";

/// The `<Error>` text of a search without hits, which the public client keys on.
pub(crate) const NO_RESULTS: &str = "検索結果が存在しません。";

pub(crate) const DECLARATION: &str =
    "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n";

/// Every request outside the control routes: the API paths (GET or POST), else 404.
pub(crate) async fn api(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    if !shared.paths.iter().any(|path| path == uri.path()) {
        return empty(StatusCode::NOT_FOUND);
    }
    if method != Method::GET && method != Method::POST {
        return empty(StatusCode::METHOD_NOT_ALLOWED);
    }
    let request = shared.harness.count();
    // A servlet reads a POST's parameters from the query string first, then from the form body.
    let mut raw = uri.query().unwrap_or_default().as_bytes().to_vec();
    if method == Method::POST && !body.is_empty() {
        if !raw.is_empty() {
            raw.push(b'&');
        }
        raw.extend_from_slice(&body);
    }
    let fault = {
        let mut inner = shared.lock();
        if let Some(size) = &shared.synthetic {
            inner.changes.before_request(request, size);
        }
        inner.last_request = Some(RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_owned(),
            raw_query: String::from_utf8_lossy(&raw).into_owned(),
            params: query::decode_lossy(&raw),
        });
        drop(inner);
        let queued = shared.harness.take();
        queued.or_else(|| shared.flaky_fault(request))
    };
    match fault {
        None => answer(&shared, &raw),
        Some(Injected::Api(Failure::Error(message))) => error_document("1", &message),
        Some(Injected::Api(Failure::Raw { body, content_type })) => {
            raw_response(body, &content_type)
        }
        Some(Injected::Wire(Fault::IgnoreStart { claim_start })) => {
            let (without, asked) = faults::without_start(&raw);
            let response = answer(&shared, &without);
            match (claim_start, asked) {
                (true, Some(asked)) => claim_position(response, &asked).await,
                _ => response,
            }
        }
        Some(Injected::Wire(fault)) => {
            let normal = async { answer(&shared, &raw) };
            let harness = &shared.harness;
            harness
                .spoil::<HiyariWire>(fault, &connection, normal)
                .await
        }
    }
}

/// `response` with its `position` attribute set to `position`.
async fn claim_position(response: Response, position: &str) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let mut parts = parts;
    parts.headers.remove(CONTENT_LENGTH);
    let body = faults::set_attribute(&bytes, "position", position);
    Response::from_parts(parts, Body::from(body))
}

/// The answer to parameters read from `raw`, when no failure was queued.
fn answer(shared: &Shared, raw: &[u8]) -> Response {
    let search = query::decode_strict(raw)
        .map_err(|e| e.0)
        .and_then(|decoded| params::parse(&decoded));
    let search = match search {
        Ok(search) => search,
        Err(message) => return error_document("1", &message),
    };
    if let Some(size) = &shared.synthetic {
        let size = size.load(Ordering::SeqCst);
        let (withdrawn, corrected) = {
            let inner = shared.lock();
            (
                inner.changes.withdrawn.clone(),
                inner.changes.corrected.clone(),
            )
        };
        let page = super::synthetic::page(size, &withdrawn, &corrected, &search, shared.answer_cap);
        return match page {
            Ok((0, _)) => error_document("0", NO_RESULTS),
            Ok((total, reports)) => synthetic_result_set(search.start, total, &reports),
            Err(message) => error_document("1", &message),
        };
    }
    let mut page = search::run(&shared.reports, &search);
    if let Some(cap) = shared.answer_cap {
        page.reports.truncate(cap);
    }
    tracing::debug!(total = page.total, "hiyari search answered");
    if page.total == 0 {
        return error_document("0", NO_RESULTS);
    }
    result_set(
        page.position,
        page.total,
        page.reports.iter().map(|r| &r.root),
    )
}

/// A `ResultSet` of synthetic reports, encoded with the texts' Shift_JIS cached.
fn synthetic_result_set(
    position: usize,
    total: usize,
    reports: &[super::report::Element],
) -> Response {
    let head = format!(
        "{DECLARATION}<ResultSet count=\"{}\" position=\"{position}\" status=\"0\" total=\"{total}\">\n",
        reports.len()
    );
    let mut body = head.into_bytes();
    let mut cache = std::collections::HashMap::new();
    let mut xml = String::new();
    for report in reports {
        xml.clear();
        write_element(&mut xml, report, 1);
        if !super::synthetic::encode_cached(&mut body, &xml, &mut cache) {
            tracing::error!("a synthetic report had text Shift_JIS cannot carry");
            return empty(StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
    body.extend_from_slice(b"</ResultSet>\n");
    raw_response(body, XML_CONTENT_TYPE)
}

/// A `ResultSet` of these reports.
fn result_set<'a>(
    position: usize,
    total: usize,
    reports: impl ExactSizeIterator<Item = &'a super::report::Element>,
) -> Response {
    let mut xml = String::from(DECLARATION);
    xml.push_str(&format!(
        "<ResultSet count=\"{}\" position=\"{position}\" status=\"0\" total=\"{total}\">\n",
        reports.len(),
    ));
    for report in reports {
        write_element(&mut xml, report, 1);
    }
    xml.push_str("</ResultSet>\n");
    xml_response(&xml)
}

/// `<ResultSet count="0" position="0" status=".." total="0"><Error>message</Error></ResultSet>`.
fn error_document(status: &str, message: &str) -> Response {
    let mut xml = String::from(DECLARATION);
    xml.push_str(&format!(
        "<ResultSet count=\"0\" position=\"0\" status=\"{status}\" total=\"0\">\n  <Error>"
    ));
    escape_into(&mut xml, message);
    xml.push_str("</Error>\n</ResultSet>\n");
    xml_response(&xml)
}

/// HTTP 200 with `xml` encoded in Shift_JIS. Everything written was checked to be encodable when it entered
/// the mock; should a character still be unmappable, the answer is a 500 rather than an HTML character
/// reference the real server would never send.
fn xml_response(xml: &str) -> Response {
    let (bytes, _, unmappable) = SHIFT_JIS.encode(xml);
    if unmappable {
        tracing::error!("a hiyari answer had text Shift_JIS cannot carry");
        return empty(StatusCode::INTERNAL_SERVER_ERROR);
    }
    raw_response(bytes.into_owned(), XML_CONTENT_TYPE)
}

fn raw_response(body: Vec<u8>, content_type: &str) -> Response {
    let mut response = Response::new(Body::from(body));
    let value = HeaderValue::from_str(content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    response.headers_mut().insert(CONTENT_TYPE, value);
    response
}

/// An error status with an empty body.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}
