"""A harvest database as researchers open it: Python's own sqlite3, nothing of iryo's.

`cargo xtask spec-check` runs this with IRYO_BIN (the `iryo` binary) and IRYO_HIYARI_URL (the
mock's search endpoint). The test harvests the mock's whole data set, exports it as JSON lines,
and checks that the labelled views say what the JSON lines say, code by code.
"""

import json
import os
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

IRYO = os.environ["IRYO_BIN"]
HIYARI = urllib.parse.urlsplit(os.environ["IRYO_HIYARI_URL"])

# reports_labeled column -> path of the code in a JSON line.
CODE_COLUMNS = {
    "month": ["DATMONTH"],
    "day_of_week": ["DATDAY"],
    "time_zone": ["DATTIMEZONE"],
    "execution": ["DATEXECUTION"],
    "treatment_level": ["DATLEVEL"],
    "summary": ["DATSUMMARY"],
    "patient_count": ["GRPPATIENT", "DATPATIENT"],
    "patient_sex": ["GRPPATIENT", "DATPATIENTSEX"],
    "discoverer": ["DATDISCOVERER"],
    "dispensing_scene": ["GRPCOMPOUND", "DATSCENE"],
    "dispensing_contents": ["GRPCOMPOUND", "DATCONTENTS"],
    "doubt_influence": ["GRPDOUBT", "DATINFLUENCE"],
    "doubt_ground": ["GRPDOUBT", "DATGROUND"],
    "doubt_change": ["GRPDOUBT", "DATCHANGE"],
    "material_scene": ["GRPMATERIAL", "DATSCENE"],
    "material_contents": ["GRPMATERIAL", "DATCONTENTS"],
    "sales_contents": ["GRPSALES", "DATCONTENTS"],
    "sales_classification": ["GRPSALES", "DATCLASSIFICATION"],
}


def at(obj, path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def iryo(*args):
    run = subprocess.run([IRYO, "hiyari", *args], capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()
    return run.stdout


def test_views_say_what_the_json_lines_say(tmp_path: Path):
    db = tmp_path / "hiyari.sqlite"
    base = f"{HIYARI.scheme}://{HIYARI.netloc}"
    iryo("harvest", "--db", str(db), "--base-url", base, "--path", HIYARI.path,
         "--pause-ms", "0", "--page-size", "9")
    lines = [json.loads(line) for line in iryo("export", "--db", str(db)).splitlines()]
    assert len(lines) > 20

    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = con.execute("SELECT * FROM reports_labeled ORDER BY harvest_id, position").fetchall()
    assert len(rows) == len(lines)
    checked = 0
    for row, line in zip(rows, lines):
        assert json.loads(row["json"]) == line
        assert row["year"] == (int(line["DATYEAR"]) if "DATYEAR" in line else None)
        assert row["content_text"] == line.get("DATCONTENTTEXT")
        for column, path in CODE_COLUMNS.items():
            code = at(line, path)
            assert row[column] == (code["code"] if code else None), column
            assert row[column + "_label"] == (code["label"] if code else None), column
            checked += code is not None
        factors = con.execute(
            "SELECT code, label FROM report_factors_labeled WHERE digest = ? ORDER BY ord",
            (row["digest"],),
        ).fetchall()
        expected = at(line, ["LSTFACTOR", "DATFACTOR"]) or []
        assert [(f["code"], f["label"]) for f in factors] == [(c["code"], c["label"]) for c in expected]
        jobs = con.execute(
            "SELECT code, label FROM report_job_categories_labeled WHERE digest = ? ORDER BY ord",
            (row["digest"],),
        ).fetchall()
        expected = at(line, ["LSTCONCERNED", "DATCATEGORY"]) or []
        assert [(j["code"], j["label"]) for j in jobs] == [(c["code"], c["label"]) for c in expected]
    assert checked > 5 * len(lines)

    # One row per code of the spec's table, e.g. 発生要因.
    spec = json.loads((Path(os.environ["IRYO_SPECS"]) / "codes" / "hiyari-factor.json").read_text("utf-8"))
    rows = con.execute("SELECT code, label FROM hiyari_factor ORDER BY code").fetchall()
    assert [tuple(r) for r in rows] == sorted((r["code"], r["label"]) for r in spec["rows"])
    harvest = con.execute("SELECT kind, total, reports, finished_at FROM harvests").fetchone()
    assert harvest["kind"] == "full" and harvest["total"] == len(lines) == harvest["reports"]
    assert harvest["finished_at"] is not None
