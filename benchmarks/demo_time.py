"""Wall-clock time of the default `seqlab forecast` run (what `make demo` runs).

    python benchmarks/demo_time.py        # writes benchmarks/results/demo_time.json

The run goes into a temporary folder; the JSON records the seconds, the machine, and the
leaderboard the run produced; the README's leaderboard and the seconds in docs/forecasting.md
are rendered from it (benchmarks/docs_tables.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docs_tables

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="example: python benchmarks/demo_time.py",
    ).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "seqlab.cli", "forecast", "--out", str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
        leaderboard = json.loads((out / "leaderboard.json").read_text())
    result = {
        "command": "seqlab forecast (defaults)",
        "seconds": seconds,
        "target_seconds": 180,
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "leaderboard": leaderboard,
    }
    path = ROOT / "benchmarks" / "results" / "demo_time.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    docs_tables.update("demo", "demo-seconds")
    print(f"seqlab forecast: {seconds:.0f} s (target < 180 s) -> {path}")


if __name__ == "__main__":
    main()
