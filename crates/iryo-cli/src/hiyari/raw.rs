//! `--save-raw DIR`: every answer kept as received, one document per page.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use iryo_hiyari::{PageRequest, RawPages};

use crate::error::CliError;

/// Writes the answer to `start=N` to `DIR/page-<N, 10 digits>.xml` (a retry rewrites it), so
/// that `DIR/*.xml` sorts in page order.
pub struct RawDir(PathBuf);

impl RawDir {
    /// Creates `dir` if needed.
    pub fn create(dir: &Path) -> Result<Self, CliError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Input(format!("--save-raw {}: {e}", dir.display())))?;
        Ok(RawDir(dir.to_owned()))
    }

    /// The file of the page starting at `start`.
    pub fn page_path(&self, start: u64) -> PathBuf {
        self.0.join(format!("page-{start:010}.xml"))
    }
}

impl RawPages for RawDir {
    fn page(&self, request: &PageRequest) -> io::Result<Box<dyn Write + Send>> {
        let file = File::create(self.page_path(request.start))?;
        Ok(Box::new(BufWriter::new(file)))
    }
}
