"""The ETT long-horizon grid: seqlab's models under the literature's protocol.

Each cell (dataset, model, lookback, horizon) runs in its own process (its own peak memory)
through ``seqlab.bench.ltsf.run_ltsf`` — every test window scored, MSE/MAE on scaled data —
and is merged into benchmarks/results/ltsf.json as soon as it ends; benchmarks/results/ltsf.md
is rewritten from the JSON each time, with the published numbers beside ours and every cell of
the grid marked measured or not yet run, and so is the table in docs/benchmarks.md.

    python benchmarks/ltsf.py                                   # the default grid (hours on CPU)
    python benchmarks/ltsf.py --cells ETTh1:segrnn:720:96 ETTh1:dlinear:336:96
    python benchmarks/ltsf.py --cells ETTh1:segrnn:720:720:revin=true     # a setting changed
    python benchmarks/ltsf.py --quick --cells ETTh1:dlinear:96:96 --out /tmp/q.json

SEQLAB_DATA_DIR may point at a folder with the ETT CSVs (CI and tests use ../shared/data/ett).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import docs_tables

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
HORIZONS = (96, 192, 336, 720)
# model -> lookback used in the grid (each model's paper setting)
LOOKBACKS = {"segrnn": 720, "patchtst": 336, "dlinear": 336}
DATASETS = ("ETTh1", "ETTh2", "ETTm1", "ETTm2")


def default_cells() -> list[str]:
    return [f"{d}:{m}:{lb}:{h}" for d in DATASETS for m, lb in LOOKBACKS.items() for h in HORIZONS]


def _key(r: dict) -> str:
    extra = "".join(f":{k}={v}" for k, v in sorted(r.get("overrides", {}).items()))
    return f"{r['dataset']}:{r['model']}:{r['lookback']}:{r['horizon']}{extra}"


def _parse(cell: str) -> tuple[str, str, int, int, dict]:
    """dataset:model:lookback:horizon[:key=value...]; values are JSON (true, 0.5, "x")."""
    d, m, lb, h, *rest = cell.split(":")
    overrides = {}
    for item in rest:
        key, value = item.split("=", 1)
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return d, m, int(lb), int(h), overrides


def write_markdown(results: list[dict], path: Path) -> None:
    done = {_key(r): r for r in results if not r.get("quick")}
    lines = [
        "# ETT long-horizon benchmark (multivariate, all test windows, MSE / MAE on scaled data)",
        "",
        "Written by `benchmarks/ltsf.py` from `ltsf.json`. Cells not yet run are marked so.",
        "",
        *LTSF_HEADER,
    ]
    for cell in default_cells() + sorted(set(done) - set(default_cells())):
        d, m, lb, h, overrides = _parse(cell)
        if overrides:
            m += " (" + ", ".join(f"{k}={v}" for k, v in overrides.items()) + ")"
        r = done.get(cell)
        if r is None:
            lines.append(f"| {d} | {m} | {lb} | {h} | not yet run | | | | | | | | |")
            continue
        lines.append(ltsf_row(r, m))
    lines += ["", *published()]
    path.write_text("\n".join(lines) + "\n")


LTSF_HEADER = [
    "| dataset | model | lookback | horizon | MSE | MAE | test windows | epochs (best) "
    "| s / epoch | peak MB | params | seed | device |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]


def ltsf_row(r: dict, model: str) -> str:
    """One measured cell of the ETT grid as a table row (``model`` as it is to be shown)."""
    return (
        f"| {r['dataset']} | {model} | {r['lookback']} | {r['horizon']} | "
        f"**{r['mse']:.3f}** | {r['mae']:.3f} | {r['test_windows']} | {r['epochs']} "
        f"({r['best_epoch']}) | {r['seconds_per_epoch']:.1f} | {r['peak_mb']:.0f} | "
        f"{r['params']:,} | {r['seed']} | {r['device']} |"
    )


def published() -> list[str]:
    """The published ETTh1 MSE beside ours, as table lines."""
    from seqlab.bench.ltsf import PUBLISHED

    lines = ["Published ETTh1 MSE, for comparison (sources in `seqlab/bench/ltsf.py`):", ""]
    lines.append("| source | " + " | ".join(f"H={h}" for h in HORIZONS) + " |")
    lines.append("|---|" + "---:|" * len(HORIZONS))
    for source, values in PUBLISHED.items():
        cells = " | ".join(f"{values[h]:.3f}" if h in values else "—" for h in HORIZONS)
        lines.append(f"| {source} | {cells} |")
    return lines


def table_ltsf() -> str:
    """The measured cells of the ETT grid, then the published figures."""
    order = ["segrnn", "patchtst", "dlinear"]  # the grid's order; settings changed come last
    rows = sorted(
        (r for r in docs_tables.read_json("ltsf") if not r.get("quick")),  # type: ignore[union-attr]
        key=lambda r: (
            bool(r.get("overrides")),
            r["dataset"],
            order.index(r["model"]) if r["model"] in order else len(order),
            r["horizon"],
        ),
    )
    lines = list(LTSF_HEADER)
    for r in rows:
        model = r["model"]
        if r.get("overrides"):
            model += " (" + ", ".join(f"{k}={v}" for k, v in r["overrides"].items()) + ")"
        lines.append(ltsf_row(r, model))
    return "\n".join([*lines, "", *published()]) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "ltsf": (docs_tables.ROOT / "docs" / "benchmarks.md", table_ltsf),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cells", nargs="*", help="dataset:model:lookback:horizon ...")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="smoke run: seconds, not results")
    parser.add_argument("--out", default=str(RESULTS / "ltsf.json"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        from seqlab.bench.ltsf import run_ltsf

        d, m, lb, h, overrides = _parse(args.worker)
        result = run_ltsf(
            d,
            m,
            h,
            lb,
            epochs=args.epochs,
            patience=args.patience,
            seed=args.seed,
            quick=args.quick,
            **overrides,
        )
        print(json.dumps({**result, "overrides": overrides}))
        return

    os.environ.setdefault("SEQLAB_DATA_DIR", str(ROOT.parent / "shared" / "data" / "ett"))
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.is_file() else []
    for cell in args.cells or default_cells():
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            cell,
            "--epochs",
            str(args.epochs),
            "--patience",
            str(args.patience),
            "--seed",
            str(args.seed),
        ]
        if args.quick:
            cmd.append("--quick")
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{cell}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        results = [r for r in results if _key(r) != cell or r.get("quick") != args.quick]
        results.append(result)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        write_markdown(results, out.with_suffix(".md"))
        if out.resolve() == (RESULTS / "ltsf.json").resolve():
            docs_tables.update(TABLES)
        print(
            f"{cell}: MSE {result['mse']:.4f} MAE {result['mae']:.4f} "
            f"({result['epochs']} epochs, {result['seconds_per_epoch']:.1f} s/epoch, "
            f"{result['test_windows']} test windows)",
            flush=True,
        )


if __name__ == "__main__":
    main()
