//! Writing one page in one transaction: from rows already built ([`write_page`]) or from reports
//! as they arrive from the network ([`write_streamed`]), each turned into its rows and inserted
//! at once, so a page is never held whole. The transaction commits only when the page passed
//! every check; otherwise nothing of it is kept and the resume point stays at its start.

use iryo_hiyari::PharmacyReport;
use rusqlite::{CachedStatement, Connection, Transaction, params, params_from_iter};
use tokio::sync::{mpsc, oneshot};

use crate::HarvestError;
use crate::row::ReportRow;
use crate::schema::REPORT_COLUMNS;
use crate::store::{HarvestRecord, now};

/// The verdict on a streamed page once its answer was read: commit with the answer's `total`,
/// or drop it.
pub(crate) type Verdict = Option<u64>;

/// Inserts the reports of one page into an open transaction.
struct PageWriter<'tx> {
    tx: &'tx Transaction<'tx>,
    report: CachedStatement<'tx>,
    factor: CachedStatement<'tx>,
    job: CachedStatement<'tx>,
    medicine: CachedStatement<'tx>,
    harvest_id: i64,
    start: u64,
    seen_at: String,
    written: u64,
    new: u64,
}

impl<'tx> PageWriter<'tx> {
    fn new(tx: &'tx Transaction<'tx>, harvest_id: i64, start: u64) -> rusqlite::Result<Self> {
        let columns: Vec<&str> = REPORT_COLUMNS.iter().map(|(c, _)| *c).collect();
        let placeholders = vec!["?"; columns.len() + 5].join(", ");
        Ok(PageWriter {
            tx,
            report: tx.prepare_cached(&format!(
                "INSERT OR IGNORE INTO reports (digest, harvest_id, position, seen_at, json, {})
                 VALUES ({placeholders})",
                columns.join(", ")
            ))?,
            factor: tx.prepare_cached("INSERT INTO report_factors VALUES (?1, ?2, ?3)")?,
            job: tx.prepare_cached("INSERT INTO report_job_categories VALUES (?1, ?2, ?3)")?,
            medicine: tx.prepare_cached(
                "INSERT INTO report_medicines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?,
            harvest_id,
            start,
            seen_at: now(),
            written: 0,
            new: 0,
        })
    }

    /// The next report of the page; a known digest is skipped (stored with its first sighting).
    fn insert(&mut self, row: &ReportRow) -> rusqlite::Result<()> {
        let position = self.start + self.written;
        self.written += 1;
        let head: [&dyn rusqlite::ToSql; 5] = [
            &row.digest,
            &self.harvest_id,
            &position,
            &self.seen_at,
            &row.json,
        ];
        let values = head
            .into_iter()
            .chain(row.columns.iter().map(|c| c as &dyn rusqlite::ToSql));
        if self.report.execute(params_from_iter(values))? == 0 {
            return Ok(());
        }
        self.new += 1;
        let id = self.tx.last_insert_rowid();
        for (ord, code) in row.factors.iter().enumerate() {
            self.factor.execute(params![id, ord, code])?;
        }
        for (ord, code) in row.job_categories.iter().enumerate() {
            self.job.execute(params![id, ord, code])?;
        }
        for m in &row.medicines {
            let [code, name, maker] = &m.values;
            self.medicine.execute(params![
                id, m.section, m.list, m.group, m.ord, code, name, maker
            ])?;
        }
        Ok(())
    }

    /// The harvest's counters and resume point, in the same transaction.
    fn finish(self, harvest: &mut HarvestRecord, total: u64) -> rusqlite::Result<()> {
        let next_start = self.start + self.written;
        self.tx.execute(
            "UPDATE harvests SET total = ?2, pages = pages + 1, reports = reports + ?3,
             new_reports = new_reports + ?4, next_start = ?5 WHERE id = ?1",
            params![harvest.id, total, self.written, self.new, next_start],
        )?;
        harvest.total = Some(total);
        harvest.pages += 1;
        harvest.reports += self.written;
        harvest.new_reports += self.new;
        harvest.next_start = next_start;
        Ok(())
    }
}

/// Writes one page of rows already built; returns how many were new.
pub(crate) fn write_page(
    db: &mut Connection,
    harvest: &mut HarvestRecord,
    start: u64,
    total: u64,
    rows: &[ReportRow],
) -> rusqlite::Result<u64> {
    let tx = db.transaction()?;
    let mut written = harvest.clone();
    let new = {
        let mut writer = PageWriter::new(&tx, harvest.id, start)?;
        for row in rows {
            writer.insert(row)?;
        }
        let new = writer.new;
        writer.finish(&mut written, total)?;
        new
    };
    tx.commit()?;
    *harvest = written;
    Ok(new)
}

/// Writes the reports of one page as they come out of `reports`, then waits for the `verdict`:
/// commits with the page's total, or rolls back (no verdict, or `None`). Returns how many were
/// new; `harvest` is updated only on commit. Runs on a blocking thread.
pub(crate) fn write_streamed(
    db: &mut Connection,
    harvest: &mut HarvestRecord,
    start: u64,
    mut reports: mpsc::Receiver<PharmacyReport>,
    verdict: oneshot::Receiver<Verdict>,
) -> Result<u64, HarvestError> {
    let tx = db.transaction()?;
    let mut written = harvest.clone();
    let new = {
        let mut writer = PageWriter::new(&tx, harvest.id, start)?;
        while let Some(report) = reports.blocking_recv() {
            writer.insert(&ReportRow::from_report(&report))?;
        }
        let Ok(Some(total)) = verdict.blocking_recv() else {
            return Ok(0); // dropped: the transaction rolls back
        };
        let new = writer.new;
        writer.finish(&mut written, total)?;
        new
    };
    tx.commit()?;
    *harvest = written;
    Ok(new)
}
