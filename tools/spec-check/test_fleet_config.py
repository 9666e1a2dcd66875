"""The configuration file of `iryo orca fleet`, checked from its published schema by a second
implementation: the schema is valid JSON Schema 2020-12, the published example (read with Python's
tomllib) is valid against it, and inline secrets or a tenant without an id are refused.

Run by `cargo xtask spec-check` with IRYO_SPECS (the bundle folder, dist/specs).
"""

import copy
import json
import os
import tomllib
from pathlib import Path

import jsonschema
import pytest

SPECS = Path(os.environ.get("IRYO_SPECS", Path(__file__).resolve().parents[2] / "dist" / "specs"))


def schema():
    return json.loads((SPECS / "orca/fleet-config.schema.json").read_text(encoding="utf-8"))


def example():
    return tomllib.loads((SPECS / "orca/fleet.example.toml").read_text(encoding="utf-8"))


def test_the_schema_is_valid_and_the_example_matches_it():
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.Draft202012Validator(schema()).validate(example())


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["tenants"][0].update(password="inline-secret"),
        lambda c: c["tenants"][0].pop("id"),
        lambda c: c["tenants"][0].update(tenant_header="1x"),
        lambda c: c["tenants"][1].update(password_env="BOTH"),
        lambda c: c["defaults"].update(id="x"),
        lambda c: c["tenants"][0]["client_cert"].update(pem_file="/both.pem"),
        lambda c: c.update(tenants=[]),
        lambda c: c["tenants"][2].update(sink="kafka"),
        lambda c: c["tenants"][2]["webhook"].update(secret="whsec_inline"),
        lambda c: c["tenants"][2]["webhook"].update(secret_file="/both"),
        lambda c: c["tenants"][2]["webhook"].update(url="https://u:p@receiver.example.jp/"),
        lambda c: c["tenants"][2]["webhook"].update(timeout_ms=0),
        lambda c: c["tenants"][3]["command"].pop("run"),
        lambda c: c["tenants"][3]["command"].update(run="  "),
    ],
)
def test_mistakes_are_refused(change):
    config = copy.deepcopy(example())
    change(config)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema()).validate(config)
