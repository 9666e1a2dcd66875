"""Proof by use: clients generated from dist/specs/ by other languages' tools talk to the iryo mocks.

`cargo xtask spec-check` generates the packages first (openapi-python-client: orca_client, plat_client;
xsdata: hiyari_xsd) into target/spec-tools/py-clients/, starts the mocks and runs this file with:

- IRYO_SPECS: the bundle folder (dist/specs)
- IRYO_ORCA_URL, IRYO_PLAT_URL (the app path, .../cloudEHR), IRYO_HIYARI_URL (the search endpoint)
- PYTHONPATH: target/spec-tools/py-clients
"""

import base64
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from hiyari_xsd import ResultSet, ResultStatusCode, SummaryCode
from orca_client import AuthenticatedClient as OrcaClient
from orca_client.api.default import push_event_get_v2
from orca_client.models import (
    PushEventEnvelope,
    PushEventErrorEnvelope,
    PushEventErrorCode,
    PushEventGetRequest,
)
from plat_client import AuthenticatedClient as PlatClient
from plat_client.api.providers import delete_provider_permission
from plat_client.models import (
    PermissionDeleteRequest,
    PermissionGroupResult,
    PlatError,
    PlatErrorErrorCode,
)
from xsdata.formats.dataclass.parsers import XmlParser

SPECS = Path(os.environ["IRYO_SPECS"])
ORCA_URL = os.environ["IRYO_ORCA_URL"]
PLAT_URL = os.environ["IRYO_PLAT_URL"]
HIYARI_URL = os.environ["IRYO_HIYARI_URL"]

# The document's two response-sample notifications (fixtures 06 and 11 of the ORCA mock).
DOCUMENT_SAMPLE_UUIDS = [
    "2df2ef80-8978-4817-b929-c07e4ba39e6f",
    "b5efc60a-bfa9-4c27-b0e1-85802b097cb6",
]


def orca_client() -> OrcaClient:
    basic = base64.b64encode(b"ormaster:ormaster").decode("ascii")
    return OrcaClient(base_url=ORCA_URL, token=basic, prefix="Basic", raise_on_unexpected_status=True)


def plat_client() -> PlatClient:
    return PlatClient(base_url=PLAT_URL, token="demo-token", raise_on_unexpected_status=True)


# ORCA ---------------------------------------------------------------------------------------------


def test_orca_document_request_returns_the_document_sample():
    request = json.loads((SPECS / "orca/examples/request-sample.json").read_text(encoding="utf-8"))
    with orca_client() as client:
        answer = push_event_get_v2.sync(client=client, body=PushEventGetRequest.from_dict(request))
    assert isinstance(answer, list), answer
    assert all(isinstance(item, PushEventEnvelope) for item in answer)
    assert [item.data.uuid for item in answer] == [uuid.UUID(u) for u in DOCUMENT_SAMPLE_UUIDS]
    assert {item.data.event for item in answer} == {"patient_accept"}
    assert answer[0].data.time == "2018-01-24T16:02:53+0900"


def test_orca_injected_error_is_the_typed_error_object():
    control = httpx.post(f"{ORCA_URL}/__mock/orca/fail-next", json={"code": "0089"})
    assert control.status_code == 204, control.text
    with orca_client() as client:
        answer = push_event_get_v2.sync(client=client, body=PushEventGetRequest.from_dict({"pusheventgetv2req": {}}))
    assert isinstance(answer, PushEventErrorEnvelope), answer
    assert answer.error.code == PushEventErrorCode.SYSTEM_INFORMATION_UNAVAILABLE
    assert answer.error.code == "0089"


# PLAneTs ------------------------------------------------------------------------------------------


def test_plat_deleting_approval_2_returns_the_deleted_group():
    with plat_client() as client:
        answer = delete_provider_permission.sync(
            "2", client=client, body=PermissionDeleteRequest(comment="〜のため削除します")
        )
    assert isinstance(answer, PermissionGroupResult), answer
    assert answer.permission_group.deleted_flg == 1
    assert answer.permission_group.permission_group_id == "6a7a8516-610d-4c35-bf95-9e7b5219a852"
    assert [approval.deleted_flg for approval in answer.permission_approval] == [1]
    assert answer.permission_comment[-1].comment == "〜のため削除します"


def test_plat_unknown_approval_is_a_typed_plat500():
    with plat_client() as client:
        response = delete_provider_permission.sync_detailed(
            "999", client=client, body=PermissionDeleteRequest(comment="x")
        )
    assert response.status_code == 500
    assert isinstance(response.parsed, PlatError), response.parsed
    assert response.parsed.error_code == PlatErrorErrorCode.SERVER_ERROR


# 薬局ヒヤリ・ハット ----------------------------------------------------------------------------------


def hiyari_query(**params: str) -> str:
    """Percent-encoded Windows-31J, every byte but RFC 3986 unreserved ones (x-iryo-query-encoding)."""
    return "&".join(
        f"{name}={urllib.parse.quote(value.encode('cp932'), safe='-._~')}" for name, value in params.items()
    )


def hiyari_get(query: str) -> bytes:
    response = httpx.get(f"{HIYARI_URL}?{query}")
    assert response.status_code == 200
    assert "shift_jis" in response.headers["content-type"].lower()
    return response.content


def parse_hiyari(raw: bytes) -> ResultSet:
    # Declared Shift_JIS, really Windows-31J: decode with cp932 and relabel the declaration.
    text = raw.decode("cp932").replace('encoding="Shift_JIS"', 'encoding="UTF-8"', 1)
    return XmlParser().from_string(text, ResultSet)


def test_hiyari_answer_parses_into_the_xsd_dataclasses():
    result = parse_hiyari(hiyari_get("itemcode=0090010&code=08&text="))
    assert result.status == ResultStatusCode.VALUE_0
    assert (result.total, result.count) == (23, 10)
    first = result.pharmacy_report[0]  # the document's sample report
    assert first.datyear == "2009"
    assert first.datsummary.code == SummaryCode.VALUE_08
    assert all(report.datsummary.code == SummaryCode.VALUE_08 for report in result.pharmacy_report)


def test_hiyari_shift_jis_query_and_windows_31j_answer():
    # The document's first sample: 発生要因 contains 過労 or 疲労.
    result = parse_hiyari(hiyari_get(hiyari_query(item="LSTFACTOR", word="過労 疲労", condition="any")))
    assert result.total == 5
    assert all("過労" in r.datfactortext or "疲労" in r.datfactortext for r in result.pharmacy_report)


def test_hiyari_answer_needs_cp932_not_strict_shift_jis():
    raw = hiyari_get("count=all")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("shift_jis")  # strict Shift_JIS refuses ①, 髙, 﨑
    text = raw.decode("cp932")
    assert "髙" in text and "①" in text
    result = parse_hiyari(raw)
    assert len(result.pharmacy_report) == result.total == 41


def test_hiyari_live_answer_is_valid_against_the_strict_xsd():
    raw = hiyari_get("count=all")
    text = raw.decode("cp932").replace('encoding="Shift_JIS"', 'encoding="UTF-8"', 1)
    with tempfile.TemporaryDirectory() as tmp:
        answer = Path(tmp) / "answer.xml"
        answer.write_text(text, encoding="utf-8")
        checked = subprocess.run(
            ["xmllint", "--noout", "--schema", str(SPECS / "hiyari/response.xsd"), str(answer)],
            capture_output=True,
            text=True,
        )
    assert checked.returncode == 0, checked.stderr


# The bundle itself ---------------------------------------------------------------------------------


def test_manifest_lists_every_file_with_its_digest():
    manifest = json.loads((SPECS / "manifest.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", manifest["version"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {p.relative_to(SPECS).as_posix() for p in SPECS.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"manifest.json"}
    for path, entry in listed.items():
        assert hashlib.sha256((SPECS / path).read_bytes()).hexdigest() == entry["sha256"], path
        assert entry["spec_version"]


@pytest.mark.parametrize("api", ["orca", "plat", "hiyari"])
def test_yaml_and_json_documents_agree_for_a_yaml_1_1_reader(api):
    # PyYAML reads YAML 1.1, where unquoted dates and yes/no are not strings: the YAML must not rely on 1.2.
    as_yaml = yaml.safe_load((SPECS / api / "openapi.yaml").read_text(encoding="utf-8"))
    as_json = json.loads((SPECS / api / "openapi.json").read_text(encoding="utf-8"))
    assert as_yaml == as_json


def test_code_table_csv_matches_json():
    for table_json in sorted((SPECS / "codes").glob("*.json")):
        table = json.loads(table_json.read_text(encoding="utf-8"))
        rows = list(csv.DictReader(io.StringIO(table_json.with_suffix(".csv").read_text(encoding="utf-8"))))
        assert [(r["code"], r["id"], r["label"]) for r in rows] == [
            (r["code"], r["id"], r["label"]) for r in table["rows"]
        ], table_json.name
        for column in table.get("columns", {}):
            assert [r[column] for r in rows] == [r[column] for r in table["rows"]]
        assert "rust" not in table
