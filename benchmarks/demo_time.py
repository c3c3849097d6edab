"""Wall-clock time of the default `seqlab forecast` run (what `make demo` runs).

    python benchmarks/demo_time.py        # writes benchmarks/results/demo_time.json

The run goes into a temporary folder; the JSON records the seconds, the machine, and the
leaderboard the run produced; the README's leaderboard and the seconds in docs/forecasting.md
are rendered from it (benchmarks/docs_tables.py).
"""

from __future__ import annotations

import argparse
import io
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


def table_demo() -> str:
    """The leaderboard of the default `seqlab forecast` run, as the command prints it."""
    import pandas as pd
    from rich.console import Console

    from seqlab.cli.tables import leaderboard_table
    from seqlab.report.html import verdict_for

    result = docs_tables.read_json("demo_time")
    board = pd.DataFrame(result["leaderboard"]).set_index("model")
    console = Console(file=io.StringIO(), width=100, record=True)
    console.print(leaderboard_table(board, 5))
    console.print(verdict_for(board, "Close", "B"))
    table = console.export_text()
    return "```\n" + "\n".join(line.rstrip() for line in table.splitlines()) + "\n```\n"


def table_demo_seconds() -> str:
    result = docs_tables.read_json("demo_time")
    return (
        f"The whole run takes {result['seconds']:.0f} s on {result['machine']['cpus']} CPU "
        f"cores (target: under {result['target_seconds'] // 60} minutes).\n"
    )


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "demo": (docs_tables.ROOT / "README.md", table_demo),
    "demo-seconds": (docs_tables.ROOT / "docs" / "forecasting.md", table_demo_seconds),
}


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
    docs_tables.update(TABLES)
    print(f"seqlab forecast: {seconds:.0f} s (target < 180 s) -> {path}")


if __name__ == "__main__":
    main()
