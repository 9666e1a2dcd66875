"""What `iryo orca watch --webhook` sends, checked from its published description by a second
implementation: the worked signature example recomputed with Python's hmac, the example body valid
against the event schema it references, and the PostgreSQL tables' SQL present.

Run by `cargo xtask spec-check` with IRYO_SPECS (the bundle folder, dist/specs).
"""

import base64
import hashlib
import hmac
import json
import os
from pathlib import Path

import jsonschema
import yaml

SPECS = Path(os.environ.get("IRYO_SPECS", Path(__file__).resolve().parents[2] / "dist" / "specs"))


def webhooks():
    return json.loads((SPECS / "orca/webhooks.json").read_text(encoding="utf-8"))


def test_the_signature_example_verifies_with_python_hmac():
    example = webhooks()["info"]["x-iryo-signature-example"]
    secret = example["secret"]
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_"):])
    signed = f"{example['webhook-id']}.{example['webhook-timestamp']}.{example['body']}".encode()
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(expected, example["webhook-signature"])
    # One changed byte of the body breaks it.
    tampered = signed.replace(b'"id":1', b'"id":2')
    assert tampered != signed
    forged = "v1," + base64.b64encode(hmac.new(key, tampered, hashlib.sha256).digest()).decode()
    assert forged != example["webhook-signature"]


def test_the_example_body_is_an_event_of_the_referenced_schema():
    doc = webhooks()
    post = doc["webhooks"]["orcaPushEvent"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    file, pointer = ref.split("#")
    assert file == "openapi.yaml"
    events = json.loads((SPECS / "orca/openapi.json").read_text(encoding="utf-8"))
    schema = {"$ref": "#" + pointer, "components": events["components"]}
    body = json.loads(doc["info"]["x-iryo-signature-example"]["body"])
    jsonschema.validate(body, schema)
    example = doc["info"]["x-iryo-signature-example"]
    assert body["uuid"] == example["webhook-id"], "webhook-id is the event's uuid"
    headers = {p["name"] for p in post["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_the_postgres_tables_are_published():
    sql = (SPECS / "orca/orca_events.sql").read_text(encoding="utf-8")
    for table in ["iryo.orca_events", "iryo.orca_cursor", "iryo.schema_version"]:
        assert f"CREATE TABLE IF NOT EXISTS {table}" in sql
    assert "PRIMARY KEY (tenant_id, uuid)" in sql


def test_yaml_and_json_agree_for_a_yaml_1_1_reader():
    as_yaml = yaml.safe_load((SPECS / "orca/webhooks.yaml").read_text(encoding="utf-8"))
    assert as_yaml == webhooks()
