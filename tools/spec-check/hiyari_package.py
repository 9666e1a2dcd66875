"""Load an `iryo hiyari export --format datapackage` folder into pandas, labels joined.

    import hiyari_package
    tables = hiyari_package.load("hiyari-package")
    tables["reports"][["digest", "summary", "summary_label"]]

Every resource becomes a DataFrame typed by its Table Schema (codes stay strings: "01" is not 1);
each code column `c` (a field with `categories`) gets a column `c_label` with its Japanese label.
Only pandas and the standard library are used.
"""

import json
from pathlib import Path

import pandas as pd

DTYPES = {"string": "string", "integer": "Int64", "boolean": "string", "datetime": "string"}


def load(folder) -> dict:
    folder = Path(folder)
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    tables = {}
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        frame = pd.read_csv(
            folder / resource["path"],
            encoding="utf-8",
            dtype={f["name"]: DTYPES[f["type"]] for f in fields},
            keep_default_na=False,
            na_values={f["name"]: [""] for f in fields},
        )
        for field in fields:
            name = field["name"]
            if field["type"] == "datetime":
                frame[name] = pd.to_datetime(frame[name], utc=True, format="ISO8601")
            elif field["type"] == "boolean":
                true = field.get("trueValues", ["true"])
                frame[name] = frame[name].map(lambda v: pd.NA if pd.isna(v) else v in true).astype("boolean")
            if "categories" in field:
                labels = {c["value"]: c["label"] for c in field["categories"]}
                frame[name + "_label"] = frame[name].map(labels).astype("string")
        tables[resource["name"]] = frame
    return tables
