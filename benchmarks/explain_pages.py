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


def _page_numbers(command: str) -> dict:
    page = docs_tables.ROOT / "docs" / "explain" / command / "results.json"
    return json.loads(page.read_text())


def table_explain_times() -> str:
    """The run time of each ``seqlab explain`` command with its defaults
    (benchmarks/explain_pages.py)."""
    r = docs_tables.read_json("explain_times")
    lines = ["| command (no arguments) | seconds | page |", "|---|---:|---|"]
    for row in r["rows"]:
        name = row["command"].split()[-1]
        lines.append(
            f"| `{row['command']}` | {row['seconds']:.0f} | [{name}](explain/{name}/index.html) |"
        )
    return "\n".join(lines) + (
        f"\n\nWall time from start to exit, in a fresh process, on {r['machine']['cpus']} CPU "
        f"cores (torch {r['machine']['torch']}).\n"
    )


def table_explain_bptt() -> str:
    """The check and the products on the example page of ``seqlab explain bptt``."""
    r = _page_numbers("bptt")
    lines = [
        f"| ‖W‖₂ | mean factor | product of the {r['length']} factors | ‖∂h_L/∂h_0‖ |",
        "|---:|---:|---:|---:|",
    ]
    for scale, v in r["scales"].items():
        lines.append(
            f"| {scale} | {v['mean_factor']:.3f} | {v['product']:.2e} | {v['exact']:.2e} |"
        )
    return "\n".join(lines) + (
        f"\n\nLargest difference between the hand-written gradients and autograd's: "
        f"{r['max_difference']:.1e} (float64, H = {r['hidden']}).\n"
    )


def table_explain_gradients() -> str:
    """The slopes of ‖∂L/∂h_k‖ on the example page of ``seqlab explain gradients``."""
    r = _page_numbers("gradients")
    lines = [
        f"| model | condition | ‖∂L/∂h_0‖ | ‖∂L/∂h_{r['length'] - 1}‖ | slope (decades / step) "
        "| × per step |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['model']} | {row['condition']} | {row['first']:.2g} | {row['last']:.2g} | "
            f"{row['slope']:+.4f} | {10 ** row['slope']:.3f} |"
        )
    return "\n".join(lines) + (
        f"\n\nAdding-problem sequences of {r['length']} steps; trained: {r['steps']} steps of "
        "batch 32.\n"
    )


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "explain-times": (docs_tables.ROOT / "docs" / "explain.md", table_explain_times),
    "explain-bptt": (docs_tables.ROOT / "docs" / "explain.md", table_explain_bptt),
    "explain-gradients": (docs_tables.ROOT / "docs" / "explain.md", table_explain_gradients),
}


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
        docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
