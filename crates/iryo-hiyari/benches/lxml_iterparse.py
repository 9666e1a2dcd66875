"""lxml iterparse over a saved answer: the Python baseline of benches/parse.rs.

Prints `seconds peak_kib reports`, like the Rust children. Run by the bench, which installs lxml
into target/bench-venv; by hand: python lxml_iterparse.py FILE.
"""
import resource
import sys
import time

from lxml import etree


def main(path):
    start = time.perf_counter()
    reports = 0
    for _, element in etree.iterparse(path, events=("end",), tag="PHARMACY_REPORT"):
        reports += 1
        # touch the typed-equivalent fields, then free the subtree as the Rust reader does
        _ = [child.get("CODE") or child.text for child in element.iter()]
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{seconds} {peak_kib} {reports}")


if __name__ == "__main__":
    main(sys.argv[1])
