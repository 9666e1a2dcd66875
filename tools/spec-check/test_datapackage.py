"""`iryo hiyari export --format datapackage` read by other tools: Python's `frictionless validate`
passes on it (and fails on a tampered copy), and pandas loads every table with the labels that the
harvest database's own labelled views give.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

import frictionless
import pandas as pd

import hiyari_package

IRYO = os.environ["IRYO_BIN"]
HIYARI = urllib.parse.urlsplit(os.environ["IRYO_HIYARI_URL"])


def iryo(*args):
    run = subprocess.run([IRYO, "hiyari", *args], capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()


def exported(tmp_path: Path):
    db = tmp_path / "hiyari.sqlite"
    iryo("harvest", "--db", str(db), "--base-url", f"{HIYARI.scheme}://{HIYARI.netloc}",
         "--path", HIYARI.path, "--pause-ms", "0", "--page-size", "11")
    out = tmp_path / "package"
    iryo("export", "--db", str(db), "--format", "datapackage", "--out", str(out))
    return db, out


def test_frictionless_validates_the_package_and_refuses_a_tampered_one(tmp_path: Path):
    db, out = exported(tmp_path)
    report = frictionless.validate(out / "datapackage.json")
    assert report.valid, report.flatten(["title", "message"])[:5]
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["path"] == "https://jcqhc.or.jp/terms_and_conditions"
    assert package["iryo"]["harvests"][0]["endpoint"] == os.environ["IRYO_HIYARI_URL"]
    assert package["iryo"]["harvests"][0]["finished_at"]
    reports = next(r for r in package["resources"] if r["name"] == "reports")
    month = next(f for f in reports["schema"]["fields"] if f["name"] == "month")
    assert {"value": "01", "label": "1月"} in month["categories"]
    assert {"fields": "month", "reference": {"resource": "hiyari_occurrence_month", "fields": "code"}} \
        in reports["schema"]["foreignKeys"]

    # A code outside its table and a factor of no report: both are caught.
    tampered = tmp_path / "tampered"
    shutil.copytree(out, tampered)
    text = (tampered / "reports.csv").read_text("utf-8").splitlines()
    cells = text[1].split(",")
    cells[7] = "99"  # month
    text[1] = ",".join(cells)
    (tampered / "reports.csv").write_text("\n".join(text) + "\n", "utf-8")
    with open(tampered / "report_factors.csv", "a", encoding="utf-8") as factors:
        factors.write("999999,0,010101\n")
    report = frictionless.validate(tampered / "datapackage.json")
    assert not report.valid
    types = {error.type for task in report.tasks for error in task.errors}
    assert {"constraint-error", "foreign-key"} <= types, types


def test_pandas_loads_every_table_with_the_labels_of_the_database(tmp_path: Path):
    db, out = exported(tmp_path)
    tables = hiyari_package.load(out)
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    assert set(tables) == {r["name"] for r in package["resources"]}
    con = sqlite3.connect(db)
    labelled = pd.read_sql("SELECT * FROM reports_labeled ORDER BY id", con, dtype="string")
    reports = tables["reports"]
    assert len(reports) == len(labelled) > 20
    assert reports["month"].dtype == "string" and reports["year"].dtype == "Int64"
    checked = 0
    for column in [c for c in labelled.columns if c.endswith("_label")]:
        ours = reports[column].fillna("<NA>").tolist()
        theirs = labelled[column].fillna("<NA>").tolist()
        assert ours == theirs, column
        checked += reports[column].notna().sum()
    assert checked > 5 * len(reports)
    assert reports["content_text"].fillna("").tolist() == labelled["content_text"].fillna("").tolist()
    factors = tables["report_factors"].merge(reports[["id", "digest"]], left_on="report_id", right_on="id")
    expected = pd.read_sql(
        "SELECT digest, ord, code, label FROM report_factors_labeled ORDER BY report_id, ord", con)
    assert factors[["digest", "code", "code_label"]].astype(object).values.tolist() == \
        expected[["digest", "code", "label"]].values.tolist()
    assert tables["hiyari_factor"]["known"].all()
    assert pd.api.types.is_datetime64_any_dtype(tables["harvests"]["started_at"])
