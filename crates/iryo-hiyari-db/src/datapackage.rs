//! A harvest database as a Frictionless Data Package: one UTF-8 CSV per table and
//! `datapackage.json` with a Table Schema per resource (types, primary and foreign keys, the
//! code columns' codes and Japanese labels) and where the data came from, so that pandas, R
//! (`frictionless::read_package()`) or a spreadsheet read it without SQL.

use std::collections::BTreeSet;
use std::path::Path;

use rusqlite::types::ValueRef;
use serde_json::{Value, json};

use crate::HarvestError;
use crate::manifest::DIGEST_VERSION;
use crate::schema::{LABELLED_COLUMNS, REPORT_COLUMNS, SCHEMA_VERSION, code_tables};
use crate::store::Store;

/// The publisher's terms of use (no redistribution of the reports).
pub const TERMS_URL: &str = "https://jcqhc.or.jp/terms_and_conditions";

/// What was written: each resource with its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageSummary {
    /// `(resource name, rows)` in the order of `datapackage.json`.
    pub resources: Vec<(String, u64)>,
}

/// A child table: name, code column's table, primary key.
const CHILDREN: &[(&str, Option<&str>, &[&str])] = &[
    (
        "report_factors",
        Some("hiyari_factor"),
        &["report_id", "ord"],
    ),
    (
        "report_job_categories",
        Some("hiyari_job_category"),
        &["report_id", "ord"],
    ),
    (
        "report_medicines",
        None,
        &["report_id", "section", "list", "grp", "ord"],
    ),
];

/// Writes the package into `dir` (created when missing; refused when it holds anything).
pub fn write_datapackage(
    store: &Store,
    dir: &Path,
    iryo_version: &str,
) -> Result<PackageSummary, HarvestError> {
    prepare_dir(dir)?;
    let db = store.connection();
    let mut resources = Vec::new();
    let mut summary = Vec::new();
    let mut add = |name: &str, sql: &str, schema: Value| -> Result<(), HarvestError> {
        let rows = write_csv(db, sql, &dir.join(format!("{name}.csv")))?;
        resources.push(json!({
            "name": name, "path": format!("{name}.csv"), "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
        }));
        summary.push((name.to_owned(), rows));
        Ok(())
    };
    let harvests = "SELECT id, kind, endpoint, query, page_size, started_at, finished_at, total, \
                    pages, reports, new_reports, next_start FROM harvests ORDER BY id";
    add("harvests", harvests, harvests_schema())?;
    let columns: Vec<&str> = REPORT_COLUMNS.iter().map(|(c, _)| *c).collect();
    let reports = format!(
        "SELECT id, digest, harvest_id, position, seen_at, {} FROM reports ORDER BY id",
        columns.join(", ")
    );
    add("reports", &reports, reports_schema(db)?)?;
    for (table, code_table, key) in CHILDREN {
        let sql = format!("SELECT * FROM {table} ORDER BY {}", key.join(", "));
        add(table, &sql, child_schema(db, *code_table, key)?)?;
    }
    for (table, rows) in code_tables() {
        let unknown = unknown_codes(db, table)?;
        let mut sql = format!("SELECT code, label, 1 AS known FROM {table}");
        for _ in &unknown {
            sql.push_str(" UNION ALL SELECT ?, NULL, 0");
        }
        let schema = json!({
            "fields": [
                {"name": "code", "type": "string", "description": "the wire code"},
                {"name": "label", "type": "string", "description": "its Japanese label (empty for a code the table does not list)"},
                {"name": "known", "type": "boolean", "trueValues": ["1"], "falseValues": ["0"],
                 "description": "0: a code found in the reports that the code table does not list"},
            ],
            "primaryKey": ["code"],
        });
        let rows_written = write_csv_with(db, &sql, &unknown, &dir.join(format!("{table}.csv")))?;
        debug_assert_eq!(rows_written as usize, rows.len() + unknown.len());
        resources.push(json!({
            "name": table, "path": format!("{table}.csv"), "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "schema": schema,
        }));
        summary.push((table.to_owned(), rows_written));
    }
    let package = json!({
        "profile": "tabular-data-package",
        "name": "iryo-hiyari-corpus",
        "title": "薬局ヒヤリ・ハット事例 (harvested by iryo)",
        "description": "Reports of the 薬局ヒヤリ・ハット事例収集・分析事業 事例検索 API as harvested by `iryo hiyari harvest`. The publisher's terms forbid redistributing the reports: share a manifest (`iryo hiyari manifest`), not this package.",
        "created": crate::store::now(),
        "sources": sources(db)?,
        "licenses": [{"path": TERMS_URL, "title": "公益財団法人日本医療機能評価機構 利用規約 (private use; no redistribution)"}],
        "iryo": {
            "iryo_version": iryo_version, "schema_version": SCHEMA_VERSION,
            "digest": DIGEST_VERSION, "terms": TERMS_URL, "harvests": harvests_json(db)?,
        },
        "resources": resources,
    });
    let text = serde_json::to_string_pretty(&package).map_err(|e| output(e.to_string()))?;
    std::fs::write(dir.join("datapackage.json"), text + "\n").map_err(|e| output(e.to_string()))?;
    Ok(PackageSummary { resources: summary })
}

fn output(what: String) -> HarvestError {
    HarvestError::Output(what)
}

fn prepare_dir(dir: &Path) -> Result<(), HarvestError> {
    std::fs::create_dir_all(dir).map_err(|e| output(format!("{}: {e}", dir.display())))?;
    let mut entries =
        std::fs::read_dir(dir).map_err(|e| output(format!("{}: {e}", dir.display())))?;
    if entries.next().is_some() {
        return Err(HarvestError::Manifest(format!(
            "{} is not empty: a data package is written into an empty or new folder",
            dir.display()
        )));
    }
    Ok(())
}

fn write_csv(db: &rusqlite::Connection, sql: &str, path: &Path) -> Result<u64, HarvestError> {
    write_csv_with(db, sql, &[], path)
}

/// Streams the rows of `sql` into a CSV file (RFC 4180, UTF-8, a header line); NULL is an
/// empty cell. Returns how many rows.
fn write_csv_with(
    db: &rusqlite::Connection,
    sql: &str,
    params: &[String],
    path: &Path,
) -> Result<u64, HarvestError> {
    let fail = |e: csv::Error| output(format!("{}: {e}", path.display()));
    let mut out = csv::Writer::from_path(path).map_err(fail)?;
    let mut statement = db.prepare(sql)?;
    let names: Vec<String> = statement
        .column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    out.write_record(&names).map_err(fail)?;
    let mut rows = statement.query(rusqlite::params_from_iter(params))?;
    let mut count = 0;
    let mut record = Vec::with_capacity(names.len());
    while let Some(row) = rows.next()? {
        record.clear();
        for i in 0..names.len() {
            record.push(match row.get_ref(i)? {
                ValueRef::Null => String::new(),
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(x) => x.to_string(),
                ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
            });
        }
        out.write_record(&record).map_err(fail)?;
        count += 1;
    }
    out.flush()
        .map_err(|e| output(format!("{}: {e}", path.display())))?;
    Ok(count)
}

/// Codes used in the reports (any column labelled by `table`) that `table` does not list.
fn unknown_codes(db: &rusqlite::Connection, table: &str) -> Result<Vec<String>, HarvestError> {
    let mut sources: Vec<(String, &str)> = LABELLED_COLUMNS
        .iter()
        .filter(|(_, t)| *t == table)
        .map(|(column, _)| ("reports".to_owned(), *column))
        .collect();
    for (child, code_table, _) in CHILDREN {
        if *code_table == Some(table) {
            sources.push(((*child).to_owned(), "code"));
        }
    }
    let mut unknown = BTreeSet::new();
    for (from, column) in sources {
        let sql = format!(
            "SELECT DISTINCT {column} FROM {from} WHERE {column} IS NOT NULL \
             AND {column} NOT IN (SELECT code FROM {table})"
        );
        let mut statement = db.prepare(&sql)?;
        let codes = statement.query_map([], |r| r.get::<_, String>(0))?;
        for code in codes {
            unknown.insert(code?);
        }
    }
    Ok(unknown.into_iter().collect())
}

/// A code column: its codes (with labels) as `enum` and `categories`, and its foreign key.
fn code_field(
    db: &rusqlite::Connection,
    name: &str,
    table: &str,
) -> Result<(Value, Value), HarvestError> {
    let mut statement = db.prepare(&format!("SELECT code, label FROM {table}"))?;
    let mut rows: Vec<(String, String)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    rows.extend(
        unknown_codes(db, table)?
            .into_iter()
            .map(|c| (c, String::new())),
    );
    let codes: Vec<&str> = rows.iter().map(|(c, _)| c.as_str()).collect();
    let categories: Vec<Value> = rows
        .iter()
        .map(|(c, l)| json!({"value": c, "label": l}))
        .collect();
    let field = json!({
        "name": name, "type": "string", "constraints": {"enum": codes}, "categories": categories,
        "description": format!("a code of {table} (its Japanese label there)"),
    });
    let key = json!({"fields": name, "reference": {"resource": table, "fields": "code"}});
    Ok((field, key))
}

fn reports_schema(db: &rusqlite::Connection) -> Result<Value, HarvestError> {
    let mut fields = vec![
        json!({"name": "id", "type": "integer", "constraints": {"required": true, "unique": true}}),
        json!({"name": "digest", "type": "string", "constraints": {"required": true, "unique": true, "pattern": "[0-9a-f]{64}"},
               "description": "hiyari-report-digest-v1 of the report (the API has no report id)"}),
        json!({"name": "harvest_id", "type": "integer", "description": "the harvest that saw it first"}),
        json!({"name": "position", "type": "integer", "description": "its position in that harvest's search"}),
        json!({"name": "seen_at", "type": "datetime", "format": "any"}),
    ];
    let mut keys = vec![
        json!({"fields": "harvest_id", "reference": {"resource": "harvests", "fields": "id"}}),
    ];
    for (column, path) in REPORT_COLUMNS {
        match LABELLED_COLUMNS.iter().find(|(c, _)| c == column) {
            Some((_, table)) => {
                let (field, key) = code_field(db, column, table)?;
                fields.push(field);
                keys.push(key);
            }
            None if *column == "year" => {
                fields.push(json!({"name": column, "type": "integer", "description": path}))
            }
            None => fields.push(json!({"name": column, "type": "string", "description": path})),
        }
    }
    Ok(json!({"fields": fields, "primaryKey": ["id"], "foreignKeys": keys}))
}

fn child_schema(
    db: &rusqlite::Connection,
    code_table: Option<&str>,
    key: &[&str],
) -> Result<Value, HarvestError> {
    let mut fields =
        vec![json!({"name": "report_id", "type": "integer", "constraints": {"required": true}})];
    let mut keys =
        vec![json!({"fields": "report_id", "reference": {"resource": "reports", "fields": "id"}})];
    match code_table {
        Some(code_table) => {
            fields.push(
                json!({"name": "ord", "type": "integer", "description": "position in the report"}),
            );
            let (field, fk) = code_field(db, "code", code_table)?;
            fields.push(field);
            keys.push(fk);
        }
        None => {
            let enumerated = |name: &str, values: &[&str]| json!({"name": name, "type": "string", "constraints": {"enum": values}});
            fields.push(enumerated(
                "section",
                &["GRPCOMPOUND", "GRPDOUBT", "GRPMATERIAL", "GRPSALES"],
            ));
            fields.push(enumerated(
                "list",
                &["LSTMEDICINE", "LSTRELATED", "LSTSALES_MEDICINE"],
            ));
            fields.push(enumerated("grp", &["GRPMEDICINE_A", "GRPMEDICINE_B"]));
            fields.push(
                json!({"name": "ord", "type": "integer", "description": "position in its group"}),
            );
            for (name, path) in [
                ("medicine_code", "DATMEDCODE"),
                ("medicine_name", "DATMEDNAME"),
                ("manufacturer_name", "DATMANNAME"),
            ] {
                fields.push(json!({"name": name, "type": "string", "description": path}));
            }
        }
    }
    Ok(json!({"fields": fields, "primaryKey": key, "foreignKeys": keys}))
}

fn harvests_schema() -> Value {
    let int = |name: &str| json!({"name": name, "type": "integer"});
    json!({
        "fields": [
            int("id"),
            {"name": "kind", "type": "string", "constraints": {"enum": ["full", "refresh"]}},
            {"name": "endpoint", "type": "string"},
            {"name": "query", "type": "string", "description": "the query string, without start and count"},
            int("page_size"),
            {"name": "started_at", "type": "datetime", "format": "any"},
            {"name": "finished_at", "type": "datetime", "format": "any", "description": "empty: it did not run to its end"},
            int("total"), int("pages"), int("reports"), int("new_reports"), int("next_start"),
        ],
        "primaryKey": ["id"],
    })
}

fn harvests_json(db: &rusqlite::Connection) -> Result<Vec<Value>, HarvestError> {
    let mut statement = db.prepare(
        "SELECT id, kind, endpoint, query, started_at, finished_at, total, reports FROM harvests ORDER BY id",
    )?;
    let rows = statement.query_map([], |r| {
        Ok(json!({
            "id": r.get::<_, i64>(0)?, "kind": r.get::<_, String>(1)?, "endpoint": r.get::<_, String>(2)?,
            "query": r.get::<_, String>(3)?, "started_at": r.get::<_, String>(4)?,
            "finished_at": r.get::<_, Option<String>>(5)?, "total": r.get::<_, Option<i64>>(6)?,
            "reports": r.get::<_, i64>(7)?,
        }))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn sources(db: &rusqlite::Connection) -> Result<Vec<Value>, HarvestError> {
    let mut statement = db.prepare("SELECT DISTINCT endpoint FROM harvests ORDER BY endpoint")?;
    let rows = statement.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for endpoint in rows {
        out.push(json!({"title": "薬局ヒヤリ・ハット事例収集・分析事業 事例検索 API", "path": endpoint?}));
    }
    Ok(out)
}
