"""Run by the Python of a fresh venv into which `pip install iryo-*.whl[pandas]` put the wheel:
the `iryo` command the wheel installed harvests the mock (IRYO_HIYARI_URL), and
`iryo.hiyari.read_db` gives pandas frames whose labels are the database's own.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from iryo.hiyari import read_db

started = time.monotonic()
iryo = shutil.which("iryo", path=str(Path(sys.executable).parent))
assert iryo, "the wheel installed no `iryo` next to this Python"
hiyari = urllib.parse.urlsplit(os.environ["IRYO_HIYARI_URL"])
with tempfile.TemporaryDirectory() as tmp:
    db = Path(tmp) / "hiyari.sqlite"
    run = subprocess.run(
        [iryo, "hiyari", "harvest", "--db", str(db), "--base-url", f"{hiyari.scheme}://{hiyari.netloc}",
         "--path", hiyari.path, "--pause-ms", "0"],
        capture_output=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr.decode()
    harvested = time.monotonic() - started
    frames = read_db(db)
    assert set(frames) == {"reports", "factors", "job_categories", "medicines", "harvests"}
    reports = frames["reports"]
    con = sqlite3.connect(db)
    expected = con.execute("SELECT summary_label, month FROM reports_labeled ORDER BY id").fetchall()
    assert len(reports) == len(expected) > 20
    assert list(zip(reports["summary_label"].fillna("").tolist(), reports["month"].tolist())) == \
        [(label or "", month) for label, month in expected]
    assert str(reports["month"].dtype) == "string" and str(reports["year"].dtype) == "Int64"
    assert frames["factors"]["label"].notna().all() and len(frames["factors"]) > 0
    try:
        read_db(Path(tmp) / "missing.sqlite")
        raise AssertionError("a missing file was read")
    except FileNotFoundError:
        pass
print(f"wheel: iryo harvested {len(reports)} reports {harvested:.2f} s after this check started; "
      f"read_db gave {sum(len(f) for f in frames.values())} rows in 5 frames")
print("2 passed, 0 failed")
