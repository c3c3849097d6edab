"""The table reader's property-based test with a long budget: how many generated tables were
tried, and how many were read (and forecast) or refused in one sentence.

    python benchmarks/fuzz_reader.py                  # 2,000 tables -> results/fuzz_reader.json
    python benchmarks/fuzz_reader.py --examples 200   # a shorter run

The tables and the checks are those of tests/data/test_reading_fuzz.py (random column names
with CJK characters and spaces, floats with missing cells, integers or text, shuffled and
repeated dates in five formats, three separators, decimal commas, UTF-8, UTF-8 with BOM and
GBK); a failing case stops the run with hypothesis's minimal example.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import docs_tables
from hypothesis import HealthCheck, given, settings

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location(
        "fuzz", ROOT / "tests" / "data" / "test_reading_fuzz.py"
    )
    assert spec is not None and spec.loader is not None
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=args.examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(fuzz.tables())
    def run(table):
        with tempfile.TemporaryDirectory() as folder:
            outcomes[fuzz._check(Path(folder), table)] += 1

    start = time.perf_counter()
    run()
    result = {
        "examples_asked": args.examples,
        "cases_tried": sum(outcomes.values()),
        "outcomes": dict(outcomes),
        "seconds": time.perf_counter() - start,
    }
    (docs_tables.RESULTS / "fuzz_reader.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
