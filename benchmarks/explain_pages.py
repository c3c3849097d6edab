"""The example pages of the docs and the run time of each ``seqlab explain`` command.

Runs every command with no arguments but ``--out docs/explain/COMMAND`` (so on the bundled
data, with the defaults a user gets), each in a fresh process, and times it from start to
exit; writes benchmarks/results/explain_times.json and the table in docs/explain.md.

    python benchmarks/explain_pages.py
    python benchmarks/explain_pages.py --commands bptt,positions --out /tmp/pages
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import docs_tables
import torch

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "explain_times.json"
COMMANDS = ("parity", "bptt", "gradients", "gates", "attention", "positions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "explain")
    args = parser.parse_args()
    rows = []
    for command in args.commands.split(","):
        folder = args.out / command
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "seqlab", "explain", command, "--out", str(folder)],
            check=True,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - start
        rows.append({"command": f"seqlab explain {command}", "seconds": seconds})
        print(f"{command}: {seconds:.1f} s", flush=True)
    result = {"rows": rows, "machine": {"cpus": os.cpu_count(), "torch": torch.__version__}}
    if args.out == ROOT / "docs" / "explain":
        RESULT.write_text(json.dumps(result, indent=1) + "\n")
        docs_tables.update("explain-times")


if __name__ == "__main__":
    main()
