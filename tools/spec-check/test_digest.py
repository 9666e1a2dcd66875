"""The report digest, recomputed in Python from its published spec (hiyari/digest/README.md).

Checks the published test vectors, then harvests the mock (IRYO_BIN, IRYO_HIYARI_URL) and
recomputes every stored report's digest from its labelled record: nothing of iryo's code is used
but the harvest itself.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import urllib.parse
from pathlib import Path

SPECS = Path(os.environ["IRYO_SPECS"])


def unlabel(value):
    """The canonical form's value: every {"code": C, "label": L} becomes C."""
    if isinstance(value, dict):
        if list(value) == ["code", "label"]:
            return value["code"]
        return {key: unlabel(v) for key, v in value.items()}
    if isinstance(value, list):
        return [unlabel(v) for v in value]
    return value


def canonical(record_json: str) -> str:
    return json.dumps(unlabel(json.loads(record_json)), ensure_ascii=False, separators=(",", ":"))


def digest(record_json: str) -> str:
    return hashlib.sha256(canonical(record_json).encode("utf-8")).hexdigest()


def test_published_vectors():
    vectors = json.loads((SPECS / "hiyari" / "digest" / "vectors.json").read_text("utf-8"))
    assert vectors["digest"] == "hiyari-report-digest-v1"
    assert len(vectors["vectors"]) >= 5
    for vector in vectors["vectors"]:
        assert canonical(vector["labelled"]) == vector["canonical"], vector["name"]
        assert hashlib.sha256(vector["canonical"].encode("utf-8")).hexdigest() == vector["sha256"]
        assert digest(vector["labelled"]) == vector["sha256"], vector["name"]


def test_every_harvested_digest_recomputes(tmp_path: Path):
    hiyari = urllib.parse.urlsplit(os.environ["IRYO_HIYARI_URL"])
    db = tmp_path / "hiyari.sqlite"
    run = subprocess.run(
        [os.environ["IRYO_BIN"], "hiyari", "harvest", "--db", str(db),
         "--base-url", f"{hiyari.scheme}://{hiyari.netloc}", "--path", hiyari.path,
         "--pause-ms", "0", "--page-size", "7"],
        capture_output=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr.decode()
    con = sqlite3.connect(db)
    rows = con.execute("SELECT digest, json FROM reports ORDER BY id").fetchall()
    assert len(rows) > 20
    for stored, record in rows:
        assert digest(record) == stored, record
    # A changed text changes the digest: the check above could not pass by accident.
    record = json.loads(rows[0][1])
    record["DATCONTENTTEXT"] = record.get("DATCONTENTTEXT", "") + "。"
    assert digest(json.dumps(record, ensure_ascii=False)) != rows[0][0]
