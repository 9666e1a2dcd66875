"""A 薬局ヒヤリ・ハット harvest database (`iryo hiyari harvest --db FILE`) as pandas frames, labelled.

The database's own labelled views do the joins; this module only reads them with the standard
library's sqlite3, read-only, and types the columns (codes stay strings: "01" is not 1).
"""

import sqlite3
from pathlib import Path

# Frame name -> the view or table read, in the database's own order.
_SOURCES = {
    "reports": "SELECT * FROM reports_labeled ORDER BY id",
    "factors": "SELECT * FROM report_factors_labeled ORDER BY report_id, ord",
    "job_categories": "SELECT * FROM report_job_categories_labeled ORDER BY report_id, ord",
    "medicines": "SELECT * FROM report_medicines ORDER BY report_id, section, list, grp, ord",
    "harvests": "SELECT * FROM harvests ORDER BY id",
}
_INTEGERS = {"id", "report_id", "harvest_id", "position", "ord", "year", "total", "pages",
             "reports", "new_reports", "next_start", "page_size"}
_SCHEMA_VERSION = "1"


def read_db(path) -> dict:
    """Every table of the harvest database at `path` as a pandas DataFrame, keyed by
    `reports`, `factors`, `job_categories`, `medicines` and `harvests`. Each code column `c` of
    `reports` comes with `c_label` (its Japanese label); `factors` and `job_categories` have
    `code` and `label`. The JSON of each report (`json`, with elements the schema does not know)
    is kept. Refuses a file that is not a harvest database of this version."""
    import pandas as pd  # the optional dependency: pip install "iryo[pandas]"

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database")
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if version is None or version[0] != _SCHEMA_VERSION:
            raise ValueError(f"{path}: a harvest database of schema version {version and version[0]}; "
                             f"this module reads version {_SCHEMA_VERSION}")
        frames = {}
        for name, sql in _SOURCES.items():
            frame = pd.read_sql_query(sql, con, dtype="string")
            for column in frame.columns:
                if column in _INTEGERS:
                    frame[column] = pd.to_numeric(frame[column]).astype("Int64")
            frames[name] = frame
        return frames
    finally:
        con.close()
