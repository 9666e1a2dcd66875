//! Synthetic reports, built from the invented incidents of `scenarios.rs` (the service's terms forbid
//! redistributing real reports; only the tag names and the codes are the document's). Report `i` is a pure
//! function of `i`: its scenario is `i % 17`, its month, day, time zone and patient follow from `i` by arithmetic.

use super::report::Element;
use super::scenarios::SCENARIOS;

/// How many reports [`HiyariMockBuilder`](super::HiyariMockBuilder) generates unless told otherwise.
pub(crate) const DEFAULT_GENERATED: usize = 40;

/// Months from 2009-02 through 2015-12: generated report `i` happens in month `1 + (29 * i) % 83` counted from
/// 2009-01, so the first 83 reports fall in distinct months and never in 2009-01, the month of the document's
/// sample.
const MONTH_SPAN: usize = 83;
const MONTH_STEP: usize = 29;

/// The `i`-th generated report (0-based).
pub(crate) fn generated_report(i: usize) -> Element {
    let scenario = &SCENARIOS[i % SCENARIOS.len()];
    let months_since_2009 = 1 + (MONTH_STEP * i) % MONTH_SPAN;
    let year = 2009 + months_since_2009 / 12;
    let month = months_since_2009 % 12 + 1;
    let mut children = vec![
        Element::text("VERSION", "1.0"),
        Element::text("DATYEAR", &year.to_string()),
        Element::coded("DATMONTH", &format!("{month:02}")),
        Element::coded("DATDAY", &format!("{:02}", 1 + (3 * i) % 7)),
        Element::coded("DATTIMEZONE", TIME_ZONES[i % TIME_ZONES.len()]),
    ];
    let summary = scenario.details.summary();
    // A 疑義照会 is caught before anything reaches the patient: its reports leave out 実施の有無 and 治療の程度.
    if summary != "09" {
        let treated = i.is_multiple_of(3);
        children.push(Element::coded(
            "DATEXECUTION",
            if treated { "01" } else { "02" },
        ));
        let level = match (treated, i % 10) {
            (_, 9) => "90",
            (true, _) => "02",
            (false, _) => "03",
        };
        children.push(Element::coded("DATLEVEL", level));
    }
    children.push(Element::coded("DATSUMMARY", summary));
    children.push(Element::group(
        "GRPPATIENT",
        vec![
            Element::coded("DATPATIENT", if i % 11 == 10 { "02" } else { "01" }),
            Element::text("DATPATIENTAGE", &(3 + (17 * i) % 88).to_string()),
            Element::coded(
                "DATPATIENTSEX",
                if i.is_multiple_of(2) { "02" } else { "01" },
            ),
        ],
    ));
    children.push(Element::coded(
        "DATDISCOVERER",
        DISCOVERERS[i % DISCOVERERS.len()],
    ));
    let mut concerned = vec![Element::coded(
        "DATCATEGORY",
        if summary == "11" && i.is_multiple_of(2) {
            "20"
        } else {
            "05"
        },
    )];
    if i % 4 == 3 {
        concerned.push(Element::coded("DATCATEGORY", "21"));
    }
    children.push(Element::group("LSTCONCERNED", concerned));
    children.push(scenario.details.group());
    let factors = scenario
        .factors
        .iter()
        .map(|code| Element::coded("DATFACTOR", code))
        .collect();
    children.push(Element::group("LSTFACTOR", factors));
    children.push(Element::text("DATCONTENTTEXT", scenario.content));
    children.push(Element::text("DATFACTORTEXT", scenario.background));
    children.push(Element::text("DATIMPROVEMENTTEXT", scenario.improvement));
    Element::group("PHARMACY_REPORT", children)
}

const TIME_ZONES: [&str; 9] = ["09", "11", "13", "15", "17", "19", "21", "07", "90"];
const DISCOVERERS: [&str; 7] = ["01", "02", "03", "04", "05", "06", "99"];

/// A product of the synthetic data: names are generic names with invented brands, makers are invented, and
/// the 12-character codes start with `9999` so they cannot collide with a real 厚労省コード.
pub(super) struct Drug {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) maker: &'static str,
}

impl Drug {
    fn element(&self, group: &str) -> Element {
        Element::group(
            group,
            vec![
                Element::text("DATMEDCODE", self.code),
                Element::text("DATMEDNAME", self.name),
                Element::text("DATMANNAME", self.maker),
            ],
        )
    }
}

/// The part of a report that depends on its 事例の概要 (`DATSUMMARY`).
pub(super) enum Details {
    /// 08 調剤: `GRPCOMPOUND`.
    Dispensing {
        scene: &'static str,
        contents: &'static str,
        prescribed: Drug,
        wrong: Option<Drug>,
        related: Option<Drug>,
    },
    /// 09 疑義照会: `GRPDOUBT`.
    Doubt {
        influence: &'static str,
        ground: &'static str,
        change: &'static str,
        prescribed: Drug,
        changed: Option<Drug>,
    },
    /// 10 特定保険医療材料: `GRPMATERIAL`.
    Material {
        scene: &'static str,
        contents: &'static str,
        prescribed: Drug,
        wrong: Option<Drug>,
    },
    /// 11 医薬品の販売: `GRPSALES`.
    Sales {
        contents: &'static str,
        product: Drug,
        classification: &'static str,
    },
}

impl Details {
    pub(super) fn summary(&self) -> &'static str {
        match self {
            Details::Dispensing { .. } => "08",
            Details::Doubt { .. } => "09",
            Details::Material { .. } => "10",
            Details::Sales { .. } => "11",
        }
    }

    /// The group element: its coded elements, then its 医薬品 lists (`GRPSALES` has its product in between).
    fn group(&self) -> Element {
        let pair = |a: &Drug, b: &Option<Drug>| {
            let mut drugs = vec![a.element("GRPMEDICINE_A")];
            drugs.extend(b.iter().map(|b| b.element("GRPMEDICINE_B")));
            Element::group("LSTMEDICINE", drugs)
        };
        let (tag, coded, medicines) = match self {
            Details::Dispensing {
                scene,
                contents,
                prescribed,
                wrong,
                related,
            } => {
                let related = related.iter().map(|related| {
                    Element::group("LSTRELATED", vec![related.element("GRPMEDICINE_A")])
                });
                let mut medicines = vec![pair(prescribed, wrong)];
                medicines.extend(related);
                let coded = vec![("DATSCENE", *scene), ("DATCONTENTS", *contents)];
                ("GRPCOMPOUND", coded, medicines)
            }
            Details::Doubt {
                influence,
                ground,
                change,
                prescribed,
                changed,
            } => {
                let coded = vec![
                    ("DATINFLUENCE", *influence),
                    ("DATGROUND", *ground),
                    ("DATCHANGE", *change),
                ];
                ("GRPDOUBT", coded, vec![pair(prescribed, changed)])
            }
            Details::Material {
                scene,
                contents,
                prescribed,
                wrong,
            } => {
                let coded = vec![("DATSCENE", *scene), ("DATCONTENTS", *contents)];
                ("GRPMATERIAL", coded, vec![pair(prescribed, wrong)])
            }
            Details::Sales {
                contents,
                product,
                classification,
            } => {
                let product = product.element("GRPMEDICINE_A");
                return Element::group(
                    "GRPSALES",
                    vec![
                        Element::coded("DATCONTENTS", contents),
                        Element::group("LSTSALES_MEDICINE", vec![product]),
                        Element::coded("DATCLASSIFICATION", classification),
                    ],
                );
            }
        };
        let mut children: Vec<Element> = coded
            .into_iter()
            .map(|(tag, code)| Element::coded(tag, code))
            .collect();
        children.extend(medicines);
        Element::group(tag, children)
    }
}

/// One invented incident: its details, its 発生要因 codes (a `DATFACTOR` is empty, as the schema's `CodeType`
/// is: the reporter's own words go in the free texts), and its three free texts.
pub(super) struct Scenario {
    pub(super) details: Details,
    pub(super) factors: &'static [&'static str],
    pub(super) content: &'static str,
    pub(super) background: &'static str,
    pub(super) improvement: &'static str,
}
