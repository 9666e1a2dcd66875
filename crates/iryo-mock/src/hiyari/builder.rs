//! The hiyari mock's builder: the data set (document sample, generated, your own reports, synthetic), the
//! answers' cap, occasional failures.

use super::*;

/// Configures a [`HiyariMock`]; start from [`HiyariMock::builder`]. The defaults: the document's sample then 40
/// generated reports, path [`DEFAULT_PATH`], listening on `127.0.0.1` at a free port.
#[derive(Debug)]
pub struct HiyariMockBuilder {
    path: String,
    document_sample: bool,
    generated: usize,
    extra_xml: Vec<String>,
    synthetic: Option<usize>,
    answer_cap: Option<usize>,
    flaky: Option<(u64, Vec<Fault>)>,
    bind: SocketAddr,
}

impl Default for HiyariMockBuilder {
    fn default() -> Self {
        HiyariMockBuilder {
            path: DEFAULT_PATH.to_owned(),
            document_sample: true,
            generated: generator::DEFAULT_GENERATED,
            extra_xml: Vec::new(),
            synthetic: None,
            answer_cap: None,
            flaky: None,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        }
    }
}

builder_methods!(HiyariMockBuilder);

setters!(HiyariMockBuilder {
    /// The API path (default [`DEFAULT_PATH`]); [`NEW_REPORT_PATH`] is served too. It must start with `/` and
    /// must not start with `/__mock/`.
    path(path: impl Into<String>) => path = path.into();
    /// Whether the data set starts with the document's sample report (default `true`).
    document_sample(include: bool) => document_sample = include;
    /// How many synthetic reports follow the sample (default 40). Report `i` is always the same, so
    /// `with_generated(1000)` starts with the same 40 reports as the default.
    with_generated(count: usize) => generated = count;
    /// Replaces the data set with `size` synthetic reports that are never stored: each is built
    /// when a page holds it (report `i` is always the same), months grow with `i` (500 a month
    /// from 2009-01), and [`HiyariMock::add_synthetic`] adds newer ones while the mock runs.
    /// `order=2` lists the newest report first, `order=1` sorts by 事例の概要 then `i`. Only
    /// searches without criteria (word, code, month range) are answered; others get an `<Error>`.
    synthetic(size: usize) => synthetic = Some(size);
    /// The most reports one answer holds, whatever `count` asks (the service's own cap);
    /// `count` and `total` of the answer stay true.
    answer_cap(cap: usize) => answer_cap = Some(cap.max(1));
});

impl HiyariMockBuilder {
    /// Appends reports of your own after the generated ones: XML text holding `<PHARMACY_REPORT>` elements,
    /// bare or inside a `<ResultSet>` (as the service answers). Every element must be a tag of the document's
    /// table with a place below its parent's row there, with at most a `CODE` attribute, and text or children
    /// (nothing when it has a `CODE`); they are written back in the order given.
    /// [`HiyariMockBuilder::spawn`] refuses text that breaks these rules or that Shift_JIS cannot carry.
    pub fn report_xml(mut self, xml: impl Into<String>) -> Self {
        self.extra_xml.push(xml.into());
        self
    }

    /// Occasional failures: every `every`-th API request (counting all of them) that has no
    /// queued failure takes the next of `faults`, in turn (e.g. [`Fault::Status`]`(503)` and a
    /// short [`Fault::StallMidBody`]), so a long harvest meets them. Deterministic.
    ///
    /// # Panics
    ///
    /// If `every` is 0 or [`Fault::check`] refuses a fault.
    #[track_caller]
    pub fn flaky(mut self, every: u64, faults: impl IntoIterator<Item = Fault>) -> Self {
        assert!(every > 0, "flaky: every must be at least 1");
        let faults: Vec<Fault> = faults.into_iter().map(Fault::checked).collect();
        if !faults.is_empty() {
            self.flaky = Some((every, faults));
        }
        self
    }

    /// Builds the data set and starts the server on the current tokio runtime. Fails with
    /// [`io::ErrorKind::InvalidInput`] for a bad path or bad [`HiyariMockBuilder::report_xml`] text, or if
    /// the address cannot be bound.
    pub async fn spawn(self) -> io::Result<HiyariMock> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
        if !self.path.starts_with('/') || self.path.starts_with("/__mock/") {
            return Err(invalid(format!(
                "the hiyari path must start with / and not with /__mock/, got {:?}",
                self.path
            )));
        }
        let mut roots = Vec::new();
        if self.document_sample {
            let sample = report::parse_reports(DOCUMENT_SAMPLE)
                .map_err(|e| invalid(format!("fixture 01_document_sample.xml: {e}")))?;
            roots.extend(sample);
        }
        roots.extend((0..self.generated).map(generator::generated_report));
        for (i, xml) in self.extra_xml.iter().enumerate() {
            let reports = report::parse_reports(xml)
                .map_err(|e| invalid(format!("report_xml #{}: {e}", i + 1)))?;
            if let Some(c) = first_unencodable(xml) {
                return Err(invalid(format!(
                    "report_xml #{}: Shift_JIS cannot carry {c:?}",
                    i + 1
                )));
            }
            roots.extend(reports);
        }
        let reports = roots
            .into_iter()
            .enumerate()
            .map(|(i, root)| Report::new(i + 1, root))
            .collect();
        let mut paths = vec![self.path.clone()];
        if self.path != NEW_REPORT_PATH {
            paths.push(NEW_REPORT_PATH.to_owned());
        }
        let switch = StopSwitch::new();
        let shared = Arc::new(Shared {
            paths,
            reports,
            synthetic: self.synthetic.map(AtomicUsize::new),
            answer_cap: self.answer_cap,
            flaky: self.flaky,
            harness: Harness::new(switch.stopping()),
            inner: Mutex::new(Inner::default()),
        });
        let server = MockServer::spawn(router(shared.clone()), self.bind, switch).await?;
        tracing::info!(addr = %server.addr(), "hiyari mock listening");
        Ok(HiyariMock {
            shared,
            path: self.path,
            server,
        })
    }
}
