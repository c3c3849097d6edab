"""M4 Hourly and Weekly: the zoo and the baselines under the organisers' protocol.

Each run (frequency, model) goes through ``seqlab.bench.m4.run_m4`` — one global model over
all series, the last H values of each series the test part, sMAPE / MASE / OWA / MSIS — and
is merged into benchmarks/results/m4.json as soon as it ends; the table in
docs/results/m4.md is rewritten from the JSON.

    python benchmarks/m4.py                                  # every recipe, both frequencies
    python benchmarks/m4.py --frequency hourly --models nbeats dlinear
    python benchmarks/m4.py --threads 1 ...                  # two runs side by side
    python benchmarks/m4.py --classic                        # the organisers' SES ... Comb
    Rscript benchmarks/m4_classic_r.R                        # the same five in R (forecast)

The recipes below were fixed before the runs. The networks train with AdamW, a cosine
schedule, MAE on per-series standardised values inside RevIN, early stopping on each series'
validation window (patience 5), on 2 CPU cores; ``epochs`` is capped so that a run ends in
minutes on one thread (the recurrent models and the TCN read a week, 168 hours, hourly).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import time
from pathlib import Path

import docs_tables
import torch

from seqlab.bench.m4 import run_m4, run_m4_classic
from seqlab.models import STATISTICAL

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "m4.json"

# frequency -> model -> (epochs, settings beyond seqlab.bench.m4.M4_PRESETS)
RECURRENT = {"hidden_size": 64, "num_layers": 1}
RECIPES: dict[str, dict[str, tuple[int, dict]]] = {
    "hourly": {
        "naive": (0, {}),
        "seasonal_naive": (0, {}),
        "naive2": (0, {}),
        "ets": (0, {}),
        "theta": (0, {}),
        "mstl": (0, {}),
        # AutoARIMA with a season of 24 took over 15 s a series on one core: 414 series at
        # two origins would take hours here, so hourly ARIMA is not among the recipes.
        "nbeats": (12, {"hidden_size": 512, "num_layers": 4}),
        "dlinear": (20, {}),
        "segrnn": (4, {"hidden_size": 64, "model_params": {"patch_len": 24}}),
        "patchtst": (4, {"hidden_size": 64, "num_layers": 2, "model_params": {"patch_len": 24}}),
        "tcn": (2, {"hidden_size": 32, "lookback": 168}),
        "gru": (1, {**RECURRENT, "lookback": 168}),
        "lstm": (1, {**RECURRENT, "lookback": 168}),
        "rnn": (1, {**RECURRENT, "lookback": 168}),
        "transformer": (1, {"hidden_size": 64, "num_layers": 2, "lookback": 168}),
    },
    "weekly": {
        "naive": (0, {}),
        "seasonal_naive": (0, {}),
        "naive2": (0, {}),
        "ets": (0, {}),
        "arima": (0, {}),
        "theta": (0, {}),
        "nbeats": (10, {"hidden_size": 512, "num_layers": 4}),
        "dlinear": (20, {}),
        "segrnn": (5, {"hidden_size": 64, "model_params": {"patch_len": 13}}),
        "patchtst": (5, {"hidden_size": 64, "num_layers": 2, "model_params": {"patch_len": 13}}),
        "tcn": (3, {"hidden_size": 32}),
        "gru": (2, RECURRENT),
        "lstm": (2, RECURRENT),
        "rnn": (2, RECURRENT),
        "transformer": (2, {"hidden_size": 64, "num_layers": 2}),
    },
}


def load() -> list[dict]:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else []


def merge(result: dict) -> None:
    """Replace the run of the same (frequency, model) in m4.json, or add it."""
    with open(RESULTS.with_suffix(".lock"), "w") as lock:  # runs side by side share the file
        fcntl.flock(lock, fcntl.LOCK_EX)
        key = (result["frequency"], result["model"])
        runs = [r for r in load() if (r["frequency"], r["model"]) != key]
        RESULTS.write_text(json.dumps([*runs, result], indent=2) + "\n")
        docs_tables.update(TABLES)


_M4_NAMES = {"naive": "Naive", "seasonal_naive": "Seasonal naive", "naive2": "Naive2"}


def table_m4() -> str:
    """Our runs beside the organisers' published rows, per frequency."""
    from seqlab.bench.m4 import PUBLISHED

    runs = docs_tables.read_json("m4") if (docs_tables.RESULTS / "m4.json").exists() else []
    lines = []
    for frequency in ("hourly", "weekly"):
        ours = sorted((r for r in runs if r["frequency"] == frequency), key=lambda r: r["owa"])
        lines += [
            f"**M4 {frequency.capitalize()}** (test: the last {48 if frequency == 'hourly' else 13}"
            " values of each series)\n",
            "| method | sMAPE | MASE | OWA | OWA, no overlap | MSIS | cover 95 % | epochs (best) "
            "| params | time |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in ours:
            scores = f"| {r['model']} | {r['smape']:.3f} | {r['mase']:.3f} | {r['owa']:.3f} |"
            if "published" in r:  # the organisers' benchmarks, computed here (no intervals)
                time = f"{r['seconds_all_five'] / 60:.1f} min, all five"
                lines.append(f"{scores} | | | | | {time} |")
                continue
            msis = r.get("msis_random_walk", r["msis"])
            trained = f"{r['epochs']} ({r['best_epoch']})" if r["epochs"] else "–"
            minutes = f"{r['train_seconds'] / 60:.1f} min" if r["epochs"] else "–"
            if r["model"] in STATISTICAL:  # estimated at the validation and the test origin
                minutes = f"{(r['train_seconds'] + r['forecast_seconds']) / 60:.1f} min"
            apart = r.get("without_overlap")
            shown = f"{apart['owa']:.3f} ({apart['series']})" if apart else "not measured"
            lines.append(
                f"{scores} {shown} | {msis:.3f} | {r['coverage_95']:.1f} | {trained} | "
                f"{r['params']:,} | {minutes} |"
            )
        for name, (smape, mase, owa, msis) in PUBLISHED[frequency].items():
            shown = "" if msis is None else f"{msis:.3f}"
            cells = f"{smape:.3f} | {mase:.3f} | {owa:.3f} | | {shown}"
            lines.append(f"| *{name}, published* | {cells} | | | | |")
        lines.append("")
    return "\n".join(lines)


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "m4": (docs_tables.ROOT / "docs" / "results" / "m4.md", table_m4),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frequency", nargs="*", default=list(RECIPES))
    parser.add_argument("--models", nargs="*", default=None)
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--classic", action="store_true", help="the organisers' SES, Holt, Damped, Theta, Comb"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.classic:
        for frequency in args.frequency:
            for row in run_m4_classic(frequency):
                merge(row)
                print(json.dumps({k: row[k] for k in ("frequency", "model", "owa", "matches")}))
        return
    for frequency in args.frequency:
        for model in args.models or list(RECIPES[frequency]):
            epochs, settings = RECIPES[frequency][model]
            start = time.perf_counter()
            result = run_m4(frequency, model, epochs=epochs, verbose=True, **settings)
            result["threads"] = args.threads
            result["wall_seconds"] = time.perf_counter() - start
            merge(result)
            print(json.dumps({k: result[k] for k in ("frequency", "model", "owa", "msis")}))


if __name__ == "__main__":
    main()
