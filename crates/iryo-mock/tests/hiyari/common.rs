//! Helpers shared by the hiyari mock tests: requests, and a reader of the answers that does not use the mock's
//! own XML code.

use encoding_rs::SHIFT_JIS;
use iryo_mock::hiyari::{DEFAULT_PATH, HiyariMock};
use reqwest::header::HeaderMap;

/// The `<Error>` text of a search without hits.
pub const NO_RESULTS: &str = "検索結果が存在しません。";

/// Months (`YYYY-MM`) of the default data set, newest first. Each report has its own month, so tests name
/// reports by month. 2009-01 is the document's sample.
pub const ALL_MONTHS_NEWEST_FIRST: [&str; 41] = [
    "2015-12", "2015-08", "2015-07", "2015-04", "2015-03", "2014-12", "2014-11", "2014-08",
    "2014-07", "2014-04", "2014-03", "2013-12", "2013-11", "2013-07", "2013-06", "2013-03",
    "2013-02", "2012-11", "2012-10", "2012-07", "2012-06", "2012-03", "2012-02", "2011-11",
    "2011-10", "2011-07", "2011-06", "2011-02", "2011-01", "2010-10", "2010-09", "2010-06",
    "2010-05", "2010-02", "2010-01", "2009-10", "2009-09", "2009-06", "2009-05", "2009-02",
    "2009-01",
];

pub async fn mock() -> HiyariMock {
    spawn(HiyariMock::builder()).await
}

pub async fn spawn(builder: iryo_mock::hiyari::HiyariMockBuilder) -> HiyariMock {
    match builder.spawn().await {
        Ok(mock) => mock,
        Err(error) => panic!("the mock did not start: {error}"),
    }
}

/// One client for all tests. Each test has its own tokio runtime, so the client keeps no idle connections.
pub fn client() -> reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let build = || {
        reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
    };
    CLIENT.get_or_init(|| build().unwrap_or_default()).clone()
}

/// What came back, body as bytes: the API answers Shift_JIS.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The four attributes of `<ResultSet>`.
#[derive(Debug, PartialEq, Eq)]
pub struct Counts {
    pub count: usize,
    pub position: usize,
    pub status: usize,
    pub total: usize,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body decoded from Shift_JIS; a body that does not decode fails the test.
    pub fn text(&self) -> String {
        match SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&self.body) {
            Some(text) => text.into_owned(),
            None => panic!("the body is not Shift_JIS: {:?}", self.body),
        }
    }

    /// Asserts an XML answer and reads its `<ResultSet …>` line.
    pub fn counts(&self) -> Counts {
        assert_eq!(self.status, 200);
        assert_eq!(
            self.header("content-type"),
            Some("text/xml; charset=Shift_JIS")
        );
        let text = self.text();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some(r#"<?xml version="1.0" encoding="Shift_JIS" standalone="no"?>"#)
        );
        let line = lines.next().unwrap_or_default();
        let number = |name: &str| {
            attribute(line, name)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("no {name} in {line}"))
        };
        let counts = Counts {
            count: number("count"),
            position: number("position"),
            status: number("status"),
            total: number("total"),
        };
        let expected = format!(
            r#"<ResultSet count="{}" position="{}" status="{}" total="{}">"#,
            counts.count, counts.position, counts.status, counts.total
        );
        assert_eq!(line, expected, "attributes in alphabetical order");
        counts
    }

    /// The text of `<Error>`, unescaped, or `None`.
    pub fn error(&self) -> Option<String> {
        let text = self.text();
        let error = between(&text, "<Error>", "</Error>")?;
        Some(
            error
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        )
    }

    /// Asserts `status="1"` with no results and returns the message.
    pub fn parameter_error(&self) -> String {
        let counts = self.counts();
        assert_eq!(
            counts,
            Counts {
                count: 0,
                position: 0,
                status: 1,
                total: 0
            },
            "{}",
            self.text()
        );
        self.error().unwrap_or_default()
    }

    /// Each `<PHARMACY_REPORT>…</PHARMACY_REPORT>` of the answer, as text.
    pub fn reports(&self) -> Vec<String> {
        let text = self.text();
        text.split("  <PHARMACY_REPORT>\n")
            .skip(1)
            .map(|chunk| {
                chunk
                    .split("  </PHARMACY_REPORT>\n")
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// `YYYY-MM` of each report, in answer order.
    pub fn months(&self) -> Vec<String> {
        self.reports()
            .iter()
            .map(|report| {
                let year = between(report, "<DATYEAR>", "</DATYEAR>").unwrap_or("?");
                let month = code(report, "DATMONTH").unwrap_or("?");
                format!("{year}-{month}")
            })
            .collect()
    }

    /// `DATSUMMARY@CODE` of each report, in answer order.
    pub fn summaries(&self) -> Vec<String> {
        let reports = self.reports();
        reports
            .iter()
            .map(|report| code(report, "DATSUMMARY").unwrap_or("?").to_owned())
            .collect()
    }
}

/// The text between the first `open` and the next `close`.
pub fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let length = text[start..].find(close)?;
    Some(&text[start..start + length])
}

/// The value of `name="…"` in a start tag.
pub fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    between(tag, &format!(" {name}=\""), "\"")
}

/// The `CODE` of the first `<element CODE="…"` in `report`.
pub fn code<'a>(report: &'a str, element: &str) -> Option<&'a str> {
    between(report, &format!("<{element} CODE=\""), "\"")
}

/// `GET` on `path` with `query` (already percent-encoded; empty for none).
pub async fn get_at(mock: &HiyariMock, path: &str, query: &str) -> Reply {
    let url = match query {
        "" => format!("{}{path}", mock.base_url()),
        query => format!("{}{path}?{query}", mock.base_url()),
    };
    send(client().get(url)).await
}

/// `GET` on the document's path.
pub async fn get(mock: &HiyariMock, query: &str) -> Reply {
    get_at(mock, DEFAULT_PATH, query).await
}

/// `POST` on the document's path with a form body.
pub async fn post_form(mock: &HiyariMock, query: &str, form: &str) -> Reply {
    let url = match query {
        "" => mock.endpoint(),
        query => format!("{}?{query}", mock.endpoint()),
    };
    let request = client()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    send(request).await
}

pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => panic!("request to the mock failed: {error}"),
    };
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = match response.bytes().await {
        Ok(body) => body.to_vec(),
        Err(error) => panic!("unreadable body: {error}"),
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// `text` as Shift_JIS bytes, every byte percent-encoded (upper-case hex), for building queries.
pub fn sjis(text: &str) -> String {
    let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
    assert!(!unmappable, "{text} is not Shift_JIS");
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// Every month from `ALL_MONTHS_NEWEST_FIRST` for which `keep` holds, newest first.
pub fn months_where(keep: impl Fn(&str) -> bool) -> Vec<String> {
    ALL_MONTHS_NEWEST_FIRST
        .iter()
        .filter(|m| keep(m))
        .map(|m| (*m).to_owned())
        .collect()
}
