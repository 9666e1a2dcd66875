"""lxml iterparse writing labelled JSON lines: the Python peer of `iryo hiyari parse --format jsonl`
in benches/parse.rs. Each report becomes the object `iryo` prints: XML names as keys in document
order, codes as {"code", "label"} (label from specs/codes/, null when unlisted), repeated elements
as arrays, compact separators, UTF-8.

Prints `seconds peak_kib reports`, like the Rust children. By hand: python lxml_jsonl.py FILE OUT.
"""
import json
import os
import resource
import sys
import time

from lxml import etree

CODES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "specs", "codes")
TABLES = {
    "DATMONTH": "occurrence-month", "DATDAY": "occurrence-day", "DATTIMEZONE": "time-zone",
    "DATEXECUTION": "execution", "DATLEVEL": "treatment-level", "DATSUMMARY": "summary",
    "DATPATIENT": "patient-count", "DATPATIENTSEX": "patient-sex", "DATDISCOVERER": "discoverer",
    "DATCATEGORY": "job-category", "DATSCENE": "scene", "DATCONTENTS": "incident-content",
    "DATINFLUENCE": "influence", "DATGROUND": "doubt-ground", "DATCHANGE": "change",
    "DATCLASSIFICATION": "classification", "DATFACTOR": "factor",
}
REPEATED = {"DATCATEGORY", "DATFACTOR", "GRPMEDICINE_A", "GRPMEDICINE_B"}


def load_labels():
    labels = {}
    for tag, table in TABLES.items():
        with open(os.path.join(CODES, f"hiyari-{table}.json"), encoding="utf-8") as f:
            labels[tag] = {row["code"]: row["label"] for row in json.load(f)["rows"]}
    return labels


def convert(element, labels):
    out = {}
    for child in element:
        tag = child.tag
        if tag in labels:
            value = {"code": child.get("CODE"), "label": labels[tag].get(child.get("CODE"))}
        elif len(child):
            value = convert(child, labels)
        else:
            value = child.text or ""
        if tag in REPEATED:
            out.setdefault(tag, []).append(value)
        else:
            out[tag] = value
    return out


def main(path, out_path):
    labels = load_labels()
    start = time.perf_counter()
    reports = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for _, element in etree.iterparse(path, events=("end",), tag="PHARMACY_REPORT"):
            out.write(json.dumps(convert(element, labels), ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            reports += 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{seconds} {peak_kib} {reports}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
