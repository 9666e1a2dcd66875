//! One report as database rows: the single-valued elements as columns of `reports`, the repeated
//! ones as rows of the child tables, its digest and its labelled JSON.

use iryo_hiyari::{Medicine, PharmacyReport};
use sha2::{Digest, Sha256};

/// A report ready to insert.
pub struct ReportRow {
    /// Hex SHA-256 of the report's unlabelled canonical JSON (see [`digest`]).
    pub digest: String,
    /// The labelled JSON, as `iryo hiyari search` prints it.
    pub json: String,
    /// Values of [`REPORT_COLUMNS`](crate::schema::REPORT_COLUMNS), in order.
    pub columns: Vec<Option<String>>,
    /// `DATFACTOR` codes in order.
    pub factors: Vec<String>,
    /// `DATCATEGORY` codes in order.
    pub job_categories: Vec<String>,
    /// Every medicine with its section, list and group.
    pub medicines: Vec<MedicineRow>,
}

/// One medicine of a report.
pub struct MedicineRow {
    /// `GRPCOMPOUND`, `GRPDOUBT`, `GRPMATERIAL` or `GRPSALES`.
    pub section: &'static str,
    /// `LSTMEDICINE`, `LSTRELATED` or `LSTSALES_MEDICINE`.
    pub list: &'static str,
    /// `GRPMEDICINE_A` or `GRPMEDICINE_B`.
    pub group: &'static str,
    /// Position within its group.
    pub ord: usize,
    /// `DATMEDCODE`, `DATMEDNAME`, `DATMANNAME`.
    pub values: [Option<String>; 3],
}

/// The canonical form the digest is taken over (`specs/hiyari/digest/README.md`): the report's
/// JSON without labels (XML names as keys in schema order, codes as wire codes, unknown elements
/// kept), compact, UTF-8.
pub fn canonical(report: &PharmacyReport) -> Vec<u8> {
    // Serialising into a Vec cannot fail: the types always serialise.
    serde_json::to_vec(report).unwrap_or_default()
}

/// The content digest: the API has no report id, so a report is known by what it says. It is
/// SHA-256 of the [`canonical`] form, 64 lowercase hex digits, so a relabelled code table keeps
/// every key (`specs/hiyari/digest/README.md` specifies it for any language).
pub fn digest(report: &PharmacyReport) -> String {
    let mut hasher = HashWriter(Sha256::new());
    // Serialising into a hasher cannot fail: the writer never does and the types always serialise.
    let _ = serde_json::to_writer(&mut hasher, report);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in hasher.0.finalize() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xF)]));
    }
    hex
}

/// Feeds what is written to the hash, without a buffer.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256_of_the_canonical_json_and_ignores_labels() {
        let mut report = PharmacyReport {
            year: Some("2009".to_owned()),
            month: Some("01".into()),
            ..PharmacyReport::default()
        };
        let canonical = br#"{"DATYEAR":"2009","DATMONTH":"01"}"#;
        assert_eq!(serde_json::to_vec(&report).unwrap(), canonical);
        let expected: String = Sha256::digest(canonical)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(digest(&report), expected);
        report.month = Some("02".into());
        assert_ne!(digest(&report), expected);
    }
}

impl ReportRow {
    /// The rows of `report`, with its labelled JSON line.
    pub fn from_report(report: &PharmacyReport) -> Self {
        let mut json = Vec::new();
        report.write_labeled_json(&mut json);
        // The writer only emits UTF-8 (the report's strings, escaped).
        let json = String::from_utf8(json).unwrap_or_default();
        ReportRow::new(report, json)
    }

    /// The rows of `report`; `json` is its labelled JSON line.
    pub fn new(report: &PharmacyReport, json: String) -> Self {
        let text = |t: &Option<String>| t.clone();
        let patient = report.patient_group.as_ref();
        let dispensing = report.dispensing.as_ref();
        let doubt = report.doubt.as_ref();
        let material = report.material.as_ref();
        let sales = report.sales.as_ref();
        let columns = vec![
            text(&report.version),
            text(&report.year),
            wire(report.month.as_ref()),
            wire(report.day_of_week.as_ref()),
            wire(report.time_zone.as_ref()),
            wire(report.execution.as_ref()),
            wire(report.treatment_level.as_ref()),
            wire(report.summary.as_ref()),
            wire(patient.and_then(|p| p.patient_count.as_ref())),
            patient.and_then(|p| p.patient_age.clone()),
            wire(patient.and_then(|p| p.patient_sex.as_ref())),
            wire(report.discoverer.as_ref()),
            wire(dispensing.and_then(|d| d.scene.as_ref())),
            wire(dispensing.and_then(|d| d.contents.as_ref())),
            wire(doubt.and_then(|d| d.influence.as_ref())),
            wire(doubt.and_then(|d| d.ground.as_ref())),
            wire(doubt.and_then(|d| d.change.as_ref())),
            wire(material.and_then(|m| m.scene.as_ref())),
            wire(material.and_then(|m| m.contents.as_ref())),
            wire(sales.and_then(|s| s.contents.as_ref())),
            wire(sales.and_then(|s| s.classification.as_ref())),
            text(&report.content_text),
            text(&report.factor_text),
            text(&report.improvement_text),
        ];
        ReportRow {
            digest: digest(report),
            json,
            columns,
            factors: codes(report.factor_list.iter().flat_map(|l| &l.factor)),
            job_categories: codes(report.concerned_list.iter().flat_map(|l| &l.job_category)),
            medicines: medicines(report),
        }
    }
}

fn wire<C: Code>(code: Option<&C>) -> Option<String> {
    code.map(|c| c.wire().to_owned())
}

/// The wire codes of a repeated element, in order.
fn codes<'a, C: Code + 'a>(codes: impl Iterator<Item = &'a C>) -> Vec<String> {
    codes.map(|c| c.wire().to_owned()).collect()
}

/// A code of any table, by its wire code.
trait Code {
    fn wire(&self) -> &str;
}

macro_rules! code_impl {
    ($($ty:ty),*) => {$(impl Code for $ty { fn wire(&self) -> &str { self.code() } })*};
}

code_impl!(
    iryo_hiyari_codes::OccurrenceMonth,
    iryo_hiyari_codes::OccurrenceDay,
    iryo_hiyari_codes::OccurrenceTimeZone,
    iryo_hiyari_codes::TreatmentExecution,
    iryo_hiyari_codes::TreatmentLevel,
    iryo_hiyari_codes::IncidentSummary,
    iryo_hiyari_codes::PatientCount,
    iryo_hiyari_codes::PatientSex,
    iryo_hiyari_codes::Discoverer,
    iryo_hiyari_codes::OccurrenceScene,
    iryo_hiyari_codes::IncidentContent,
    iryo_hiyari_codes::PrescriptionInfluence,
    iryo_hiyari_codes::DoubtGround,
    iryo_hiyari_codes::PrescriptionChange,
    iryo_hiyari_codes::DrugClassification,
    iryo_hiyari_codes::IncidentFactor,
    iryo_hiyari_codes::JobCategory
);

fn medicines(report: &PharmacyReport) -> Vec<MedicineRow> {
    let mut out = Vec::new();
    let mut add = |section, list, group, medicines: &[Medicine]| {
        for (ord, m) in medicines.iter().enumerate() {
            out.push(MedicineRow {
                section,
                list,
                group,
                ord,
                values: [
                    m.medicine_code.clone(),
                    m.medicine_name.clone(),
                    m.manufacturer_name.clone(),
                ],
            });
        }
    };
    let sections = [
        (
            "GRPCOMPOUND",
            report
                .dispensing
                .as_ref()
                .map(|d| (&d.medicine_list, &d.related_medicine_list)),
        ),
        (
            "GRPDOUBT",
            report
                .doubt
                .as_ref()
                .map(|d| (&d.medicine_list, &d.related_medicine_list)),
        ),
        (
            "GRPMATERIAL",
            report
                .material
                .as_ref()
                .map(|d| (&d.medicine_list, &d.related_medicine_list)),
        ),
    ];
    for (section, lists) in sections {
        let Some((list, related)) = lists else {
            continue;
        };
        if let Some(list) = list {
            add(section, "LSTMEDICINE", "GRPMEDICINE_A", &list.medicine_a);
            add(section, "LSTMEDICINE", "GRPMEDICINE_B", &list.medicine_b);
        }
        if let Some(related) = related {
            add(section, "LSTRELATED", "GRPMEDICINE_A", &related.medicine_a);
        }
    }
    if let Some(list) = report
        .sales
        .as_ref()
        .and_then(|s| s.sales_medicine_list.as_ref())
    {
        add(
            "GRPSALES",
            "LSTSALES_MEDICINE",
            "GRPMEDICINE_A",
            &list.medicine_a,
        );
    }
    out
}
