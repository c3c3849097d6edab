"""Many series at scale: one epoch of a global LSTM over 10,000 series × 1,000 rows.

    python benchmarks/panel_scale.py            # ~15 min on 2 CPU cores
    python benchmarks/panel_scale.py --smoke    # 200 series, seconds: not a result

Measures, on a long frame of ``SERIES`` random-walk-plus-daily-cycle series (string ids,
hourly dates, float64 values):

- the time to build the training data inside ``Forecaster.fit`` (frame → flat panel, the
  per-series scalers, the scaled tensor and the window index: ``data_seconds_``), per
  million values;
- the peak resident memory ``fit`` adds (Linux's VmHWM, reset just before ``fit``) against
  (data + model + optimizer): the frame's bytes (``memory_usage(deep=True)``) and the
  weights, gradients and AdamW's two moments (4 × 4 bytes per parameter);
- windows per second against the single-series path on one series of ``SINGLE_ROWS``
  rows with the same LSTM, lookback, horizon and batch size: the full epoch's rate, and,
  for the ratio, ``ROUNDS`` alternating rounds of one epoch each of a global model on
  ``ROUND_SERIES`` series × 1,000 rows and the single series (about as many windows), the
  medians compared, so that a change in the machine's load hits both sides alike.
  ``--speed-only`` measures these rounds again and keeps the rest of the JSON.

Writes ``benchmarks/results/panel_scale.json`` and the table in docs/results/m4.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import time
from pathlib import Path

import docs_tables
import numpy as np
import pandas as pd
import torch

import seqlab as sl
from seqlab.train.precision import arithmetic

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "panel_scale.json"
SERIES, ROWS, SINGLE_ROWS = 10_000, 1_000, 200_000
ROUNDS, ROUND_SERIES = 3, 200
MODEL = {
    "model": "lstm",
    "hidden_size": 32,
    "num_layers": 1,
    "lookback": 48,
    "horizon": 24,
    "batch_size": 1024,
    "epochs": 1,
    "patience": None,
    "seed": 0,
}


def frame(series: int, rows: int, seed: int = 0) -> pd.DataFrame:
    """A long frame (unique_id, ds, y) of random walks with a daily cycle."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    walk = rng.standard_normal((series, rows)).cumsum(axis=1) * 0.1
    y = 10 + walk + np.sin(2 * np.pi * t / 24) + rng.uniform(0, 5, (series, 1))
    ids = np.repeat(np.array([f"S{i:05d}" for i in range(series)], dtype=object), rows)
    ds = np.tile(pd.date_range("2020-01-01", periods=rows, freq="h").to_numpy(), series)
    return pd.DataFrame({"unique_id": ids, "ds": ds, "y": y.ravel()})


def _status(field: str) -> int:
    """A field of /proc/self/status, in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM := VmRSS


def global_epoch(df: pd.DataFrame) -> dict:
    sl.Forecaster(**MODEL).fit(frame(20, 200, seed=1))  # warm-up: imports, kernels, allocator
    gc.collect()
    before = _status("VmRSS")
    _reset_peak()
    fc = sl.Forecaster(**MODEL, verbose=True)
    start = time.perf_counter()
    fc.fit(df)
    fit_seconds = time.perf_counter() - start
    peak = _status("VmHWM") - before
    n_windows = len(df) - df["unique_id"].nunique() * (MODEL["lookback"] + 3 * MODEL["horizon"] - 1)
    epoch = float(fc.history_["seconds"].iloc[0])
    params = sum(p.numel() for p in fc.model_.parameters())
    data_bytes = int(df.memory_usage(deep=True).sum())
    model_bytes = 4 * 4 * params  # weights, gradients, AdamW's two moments, float32
    return {
        "values": len(df),
        "series": int(df["unique_id"].nunique()),
        "train_windows": n_windows,
        "build_seconds": fc.data_seconds_,
        "build_seconds_per_million": fc.data_seconds_ / (len(df) / 1e6),
        "epoch_seconds": epoch,
        "fit_seconds": fit_seconds,
        "windows_per_s": n_windows / epoch,
        "peak_added_bytes": peak,
        "data_bytes": data_bytes,
        "value_bytes": int(df["y"].to_numpy().nbytes),
        "model_optimizer_bytes": model_bytes,
        "peak_ratio": peak / (data_bytes + model_bytes),
        "materialised_windows_bytes": n_windows * (MODEL["lookback"] + MODEL["horizon"]) * 4,
    }


def single_epoch(rows: int) -> dict:
    t = np.arange(rows)
    rng = np.random.default_rng(1)
    y = 10 + rng.standard_normal(rows).cumsum() * 0.1 + np.sin(2 * np.pi * t / 24)
    df = pd.DataFrame({"y": y}, index=pd.date_range("2000-01-01", periods=rows, freq="h"))
    fc = sl.Forecaster(**MODEL, target="y", val_size=0.05, test_size=0.05)
    fc.fit(df)
    n_windows = len(fc.split_.starts("train", MODEL["lookback"], MODEL["horizon"]))
    epoch = float(fc.history_["seconds"].iloc[0])
    return {
        "rows": rows,
        "train_windows": n_windows,
        "epoch_seconds": epoch,
        "windows_per_s": n_windows / epoch,
    }


def speed_rounds(rounds: int, single_rows: int, series: int) -> dict:
    """Alternating epochs of the global and the single-series path; their median rates."""
    df = frame(series, ROWS, seed=2)
    many, one = [], []
    for _ in range(rounds):
        fc = sl.Forecaster(**MODEL).fit(df)
        windows = len(df) - series * (MODEL["lookback"] + 3 * MODEL["horizon"] - 1)
        many.append(windows / float(fc.history_["seconds"].iloc[0]))
        one.append(single_epoch(single_rows)["windows_per_s"])
    return {
        "global_windows_per_s": many,
        "single_windows_per_s": one,
        "ratio": float(np.median(many) / np.median(one)),
        "series": series,
    }


def table_panel_scale() -> str:
    if not (docs_tables.RESULTS / "panel_scale.json").exists():
        return "Not measured yet: run `python benchmarks/panel_scale.py`.\n"
    r = docs_tables.read_json("panel_scale")
    g, s = r["global"], r["single"]  # type: ignore[call-overload]
    mb = 2**20
    shape = f"{g['values']:,} ({g['series']:,} × {g['values'] // g['series']:,})"
    build = f"{g['build_seconds']:.2f} s, {g['build_seconds_per_million']:.2f} s per million"
    data = f"{g['data_bytes'] / mb:,.0f} + {g['model_optimizer_bytes'] / mb:.2f} MB"
    rows = [
        ("values (series × rows)", shape, "10 million"),
        ("training windows of the epoch", f"{g['train_windows']:,}", ""),
        ("build the training data (`data_seconds_`)", build, "< 1 s per million values"),
        ("peak memory `fit` adds", f"{g['peak_added_bytes'] / mb:,.0f} MB", ""),
        ("data (the frame, deep) + model + optimizer", data, ""),
        ("of which the values alone (float64)", f"{g['value_bytes'] / mb:,.0f} MB", ""),
        ("peak / (data + model + optimizer)", f"{g['peak_ratio']:.2f}", "≤ 2"),
        (
            "the same windows materialised (float32)",
            f"{g['materialised_windows_bytes'] / mb:,.0f} MB",
            "",
        ),
        ("windows/s, global, one epoch", f"{g['windows_per_s']:,.0f}", ""),
        (f"windows/s, one series of {s['rows']:,} rows", f"{s['windows_per_s']:,.0f}", ""),
    ]
    busy = r.get("note", "the machine otherwise idle")
    plan = r["machine"].get("training")
    trained = (
        f" (training passes in {plan['precision']} on {plan['threads'] or 'every'} thread(s), "
        'as precision="auto" runs this model)'
        if plan
        else ""
    )
    note = f"\nThe epoch: {r['machine']['threads']} thread(s){trained}; {busy}.\n"
    if "rounds" in r:
        k = r["rounds"]
        pairs = zip(k["global_windows_per_s"], k["single_windows_per_s"], strict=True)
        rate = " / ".join(f"{a:,.0f} : {b:,.0f}" for a, b in pairs)
        label = f"global / single, medians of {len(k['global_windows_per_s'])} alternating rounds"
        rows.append((label, f"{k['ratio']:.3f}", "within 10 %: 0.90 – 1.10"))
        threads = r.get("rounds_threads", r["machine"]["threads"])
        busy = r.get("rounds_note", "the machine otherwise idle")
        note += (
            f"The rounds ({k['series']} series × 1,000 rows against the one series; windows/s, "
            f"global : single): {rate}; {threads} thread(s); {busy}.\n"
        )
    lines = ["| measure | value | target |", "|---|---:|---|"]
    return "\n".join([*lines, *(f"| {a} | {b} | {c} |" for a, b, c in rows), note])


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "panel-scale": (docs_tables.ROOT / "docs" / "results" / "m4.md", table_panel_scale),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="200 series: not a result")
    parser.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--note", default=None, help="how busy the machine was, for the table")
    parser.add_argument("--speed-only", action="store_true", help="only the alternating rounds")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    single_rows = 20_000 if args.smoke else SINGLE_ROWS
    rounds = speed_rounds(
        1 if args.smoke else ROUNDS, single_rows, 20 if args.smoke else ROUND_SERIES
    )
    if args.speed_only:
        result = json.loads(RESULTS.read_text())
        result["rounds"], result["speed_ratio"] = rounds, rounds["ratio"]
        result["rounds_threads"] = args.threads
        if args.note is not None:
            result["rounds_note"] = args.note
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        docs_tables.update(TABLES)
        print(json.dumps(rounds, indent=2))
        return
    series = 200 if args.smoke else SERIES
    df = frame(series, ROWS)
    many = global_epoch(df)
    del df
    gc.collect()
    one = single_epoch(single_rows)
    result = {
        "global": many,
        "single": one,
        "rounds": rounds,
        "speed_ratio": rounds["ratio"],
        "model": MODEL,
        "machine": {
            "cpus": os.cpu_count(),
            "threads": torch.get_num_threads(),
            # precision="auto" picks the arithmetic and the training passes' threads per model
            "training": arithmetic("auto", torch.device("cpu"), MODEL["model"]),
            "processor": platform.processor() or platform.machine(),
            "torch": torch.__version__,
        },
        "smoke": args.smoke,
        **({} if args.note is None else {"note": args.note}),
    }
    print(json.dumps(result, indent=2))
    if args.smoke:
        return
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
