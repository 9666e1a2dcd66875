//! The database's tables and views, and the code tables loaded from the generated enums (which
//! are generated from `specs/codes/hiyari-*.json`, so every row and label of the spec is here).

use iryo_hiyari_codes as codes;
use rusqlite::{Connection, params};

/// Bumped when the tables change shape; a database of another version is refused.
pub const SCHEMA_VERSION: i64 = 1;

/// `(column, XML path)` of every single-valued element of a report, in the tag table's order.
/// Codes are stored as their wire codes.
pub const REPORT_COLUMNS: &[(&str, &str)] = &[
    ("version", "VERSION"),
    ("year", "DATYEAR"),
    ("month", "DATMONTH"),
    ("day_of_week", "DATDAY"),
    ("time_zone", "DATTIMEZONE"),
    ("execution", "DATEXECUTION"),
    ("treatment_level", "DATLEVEL"),
    ("summary", "DATSUMMARY"),
    ("patient_count", "GRPPATIENT.DATPATIENT"),
    ("patient_age", "GRPPATIENT.DATPATIENTAGE"),
    ("patient_sex", "GRPPATIENT.DATPATIENTSEX"),
    ("discoverer", "DATDISCOVERER"),
    ("dispensing_scene", "GRPCOMPOUND.DATSCENE"),
    ("dispensing_contents", "GRPCOMPOUND.DATCONTENTS"),
    ("doubt_influence", "GRPDOUBT.DATINFLUENCE"),
    ("doubt_ground", "GRPDOUBT.DATGROUND"),
    ("doubt_change", "GRPDOUBT.DATCHANGE"),
    ("material_scene", "GRPMATERIAL.DATSCENE"),
    ("material_contents", "GRPMATERIAL.DATCONTENTS"),
    ("sales_contents", "GRPSALES.DATCONTENTS"),
    ("sales_classification", "GRPSALES.DATCLASSIFICATION"),
    ("content_text", "DATCONTENTTEXT"),
    ("factor_text", "DATFACTORTEXT"),
    ("improvement_text", "DATIMPROVEMENTTEXT"),
];

/// `(code column, code table)`: which table labels which column (of `reports` or a child table).
pub const LABELLED_COLUMNS: &[(&str, &str)] = &[
    ("month", "hiyari_occurrence_month"),
    ("day_of_week", "hiyari_occurrence_day"),
    ("time_zone", "hiyari_time_zone"),
    ("execution", "hiyari_execution"),
    ("treatment_level", "hiyari_treatment_level"),
    ("summary", "hiyari_summary"),
    ("patient_count", "hiyari_patient_count"),
    ("patient_sex", "hiyari_patient_sex"),
    ("discoverer", "hiyari_discoverer"),
    ("dispensing_scene", "hiyari_scene"),
    ("dispensing_contents", "hiyari_incident_content"),
    ("doubt_influence", "hiyari_influence"),
    ("doubt_ground", "hiyari_doubt_ground"),
    ("doubt_change", "hiyari_change"),
    ("material_scene", "hiyari_scene"),
    ("material_contents", "hiyari_incident_content"),
    ("sales_contents", "hiyari_incident_content"),
    ("sales_classification", "hiyari_classification"),
];

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS harvests (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('full', 'refresh')),
    endpoint TEXT NOT NULL,
    query TEXT NOT NULL,
    page_size INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    total INTEGER,
    pages INTEGER NOT NULL DEFAULT 0,
    reports INTEGER NOT NULL DEFAULT 0,
    new_reports INTEGER NOT NULL DEFAULT 0,
    next_start INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS reports (
    id INTEGER PRIMARY KEY,
    digest TEXT NOT NULL UNIQUE,
    harvest_id INTEGER NOT NULL REFERENCES harvests(id),
    position INTEGER NOT NULL,
    seen_at TEXT NOT NULL,
    version TEXT, year INTEGER, month TEXT, day_of_week TEXT, time_zone TEXT, execution TEXT,
    treatment_level TEXT, summary TEXT, patient_count TEXT, patient_age TEXT, patient_sex TEXT,
    discoverer TEXT, dispensing_scene TEXT, dispensing_contents TEXT, doubt_influence TEXT,
    doubt_ground TEXT, doubt_change TEXT, material_scene TEXT, material_contents TEXT,
    sales_contents TEXT, sales_classification TEXT, content_text TEXT, factor_text TEXT,
    improvement_text TEXT,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_seen ON reports (harvest_id, position);
CREATE TABLE IF NOT EXISTS report_factors (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    ord INTEGER NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (report_id, ord)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_job_categories (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    ord INTEGER NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (report_id, ord)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS report_medicines (
    report_id INTEGER NOT NULL REFERENCES reports(id),
    section TEXT NOT NULL,
    list TEXT NOT NULL,
    grp TEXT NOT NULL,
    ord INTEGER NOT NULL,
    medicine_code TEXT,
    medicine_name TEXT,
    manufacturer_name TEXT,
    PRIMARY KEY (report_id, section, list, grp, ord)
) WITHOUT ROWID;
";

/// Creates what is missing (tables, code tables, views) and checks the schema version.
pub fn create(db: &Connection) -> rusqlite::Result<()> {
    db.execute_batch(TABLES)?;
    let version: Option<String> = db
        .query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .ok();
    match version {
        Some(v) if v != SCHEMA_VERSION.to_string() => {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "database schema version {v}, this iryo writes version {SCHEMA_VERSION}"
            )));
        }
        Some(_) => return Ok(()),
        None => {}
    }
    let tx = db.unchecked_transaction()?;
    for (table, rows) in code_tables() {
        tx.execute_batch(&format!(
            "CREATE TABLE {table} (code TEXT PRIMARY KEY, label TEXT NOT NULL) WITHOUT ROWID;"
        ))?;
        let mut insert = tx.prepare(&format!("INSERT INTO {table} VALUES (?1, ?2)"))?;
        for (code, label) in rows {
            insert.execute(params![code, label])?;
        }
    }
    tx.execute_batch(&views())?;
    tx.execute(
        "INSERT INTO meta VALUES ('schema_version', ?1)",
        [SCHEMA_VERSION.to_string()],
    )?;
    tx.commit()
}

/// `reports_labeled` (every report column, each code followed by `<column>_label`), and the
/// child tables with labels.
fn views() -> String {
    let mut select = String::from("SELECT r.id, r.digest, r.harvest_id, r.position, r.seen_at");
    let mut joins = String::new();
    for (column, _) in REPORT_COLUMNS {
        select.push_str(&format!(", r.{column}"));
        if let Some((_, table)) = LABELLED_COLUMNS.iter().find(|(c, _)| c == column) {
            select.push_str(&format!(", l_{column}.label AS {column}_label"));
            joins.push_str(&format!(
                " LEFT JOIN {table} l_{column} ON l_{column}.code = r.{column}"
            ));
        }
    }
    format!(
        "CREATE VIEW reports_labeled AS {select}, r.json FROM reports r{joins};
         CREATE VIEW report_factors_labeled AS
             SELECT f.report_id, r.digest, f.ord, f.code, t.label FROM report_factors f
             JOIN reports r ON r.id = f.report_id LEFT JOIN hiyari_factor t ON t.code = f.code;
         CREATE VIEW report_job_categories_labeled AS
             SELECT j.report_id, r.digest, j.ord, j.code, t.label FROM report_job_categories j
             JOIN reports r ON r.id = j.report_id
             LEFT JOIN hiyari_job_category t ON t.code = j.code;"
    )
}

type Rows = Vec<(&'static str, &'static str)>;

macro_rules! rows {
    ($ty:ty) => {
        <$ty>::KNOWN
            .iter()
            .map(|v| (v.code(), v.label().unwrap_or_default()))
            .collect::<Rows>()
    };
}

/// Every code table a report uses, named after its spec file (`hiyari-factor` ->
/// `hiyari_factor`), with its rows in table order.
pub fn code_tables() -> Vec<(&'static str, Rows)> {
    vec![
        ("hiyari_occurrence_month", rows!(codes::OccurrenceMonth)),
        ("hiyari_occurrence_day", rows!(codes::OccurrenceDay)),
        ("hiyari_time_zone", rows!(codes::OccurrenceTimeZone)),
        ("hiyari_execution", rows!(codes::TreatmentExecution)),
        ("hiyari_treatment_level", rows!(codes::TreatmentLevel)),
        ("hiyari_summary", rows!(codes::IncidentSummary)),
        ("hiyari_patient_count", rows!(codes::PatientCount)),
        ("hiyari_patient_sex", rows!(codes::PatientSex)),
        ("hiyari_discoverer", rows!(codes::Discoverer)),
        ("hiyari_job_category", rows!(codes::JobCategory)),
        ("hiyari_scene", rows!(codes::OccurrenceScene)),
        ("hiyari_incident_content", rows!(codes::IncidentContent)),
        ("hiyari_influence", rows!(codes::PrescriptionInfluence)),
        ("hiyari_doubt_ground", rows!(codes::DoubtGround)),
        ("hiyari_change", rows!(codes::PrescriptionChange)),
        ("hiyari_classification", rows!(codes::DrugClassification)),
        ("hiyari_factor", rows!(codes::IncidentFactor)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each code table of the database is its spec file, row for row.
    #[test]
    fn code_tables_are_the_spec_files() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/codes");
        for (table, rows) in code_tables() {
            let path = format!("{root}/{}.json", table.replace('_', "-"));
            let text = std::fs::read_to_string(&path).unwrap();
            let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
            let spec_rows: Vec<(String, String)> = spec["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["code"].as_str().unwrap().into(),
                        r["label"].as_str().unwrap().into(),
                    )
                })
                .collect();
            let ours: Vec<(String, String)> = rows
                .iter()
                .map(|(c, l)| ((*c).into(), (*l).into()))
                .collect();
            assert_eq!(ours, spec_rows, "{table}");
        }
    }

    #[test]
    fn every_labelled_column_is_a_report_column_and_a_code_table() {
        let tables: Vec<_> = code_tables().into_iter().map(|(t, _)| t).collect();
        for (column, table) in LABELLED_COLUMNS {
            assert!(REPORT_COLUMNS.iter().any(|(c, _)| c == column), "{column}");
            assert!(tables.contains(table), "{table}");
        }
        let db = Connection::open_in_memory().unwrap();
        create(&db).unwrap();
        create(&db).unwrap(); // idempotent
        let labelled: i64 = db
            .query_row("SELECT count(*) FROM hiyari_factor", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            labelled as usize,
            iryo_hiyari_codes::IncidentFactor::KNOWN.len()
        );
    }
}
