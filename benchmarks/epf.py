"""The EPF day-ahead benchmark on NP, PJM and BE: seqlab's NBEATSx with the day's exogenous
forecasts, calendar and holidays, its ablation without them, and the paper's naive, LEAR and
DNN ensembles on the same 728 test days.

Each run goes through ``seqlab.bench.epf.run_epf`` (the recipe is its defaults: N-BEATS
3 × 512 inside RevIN, dropout 0.2, MAE loss, trained on the midnight origins of the four
years before the test part with the last 364 days for early stopping, 4 seeds averaged,
trained further for 1 epoch on the latest 364 days every 7th test day) and is written to
benchmarks/results/epf.json; its daily forecasts to benchmarks/results/epf_<market>.csv; the
tables in docs/results/epf.md are rewritten from the JSON.

    python benchmarks/epf.py                         # NP, PJM, BE, with and without
    python benchmarks/epf.py --markets NP --variants future
    python benchmarks/epf.py --markets NP --variants future --recalibration daily
    python benchmarks/epf.py --plot                  # the NP test week from the saved CSV
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import docs_tables
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "epf.json"
PAGE = HERE.parent / "docs" / "results" / "epf.md"
VARIANTS = {"future": True, "no_future": False}


def _load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def _table() -> str:
    runs = _load()
    lines = [
        "| market | method | MAE | rMAE | sMAPE % | RMSE | DM p (seqlab better) | train s |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for market in ("NP", "PJM", "BE"):
        run = runs.get(f"{market}/future")
        if run is None:
            continue
        ablation = runs.get(f"{market}/no_future")
        shown = [("seqlab NBEATSx (future covariates)", run["rows"]["seqlab"], run)]
        daily = runs.get(f"{market}/future/daily")
        if daily is not None:
            shown.append(("seqlab NBEATSx, updated daily", daily["rows"]["seqlab"], daily))
        if ablation is not None:
            shown.append(
                ("seqlab N-BEATS, no future covariates", ablation["rows"]["seqlab"], ablation)
            )
        shown += [
            (name, run["rows"][name], None) for name in ("LEAR Ensemble", "DNN Ensemble", "naive")
        ]
        for name, row, own in shown:
            p = run["dm"].get(name, {}).get("p_seqlab_better")
            seconds = "" if own is None else f"{own['train_seconds'] + own['update_seconds']:.0f}"
            lines.append(
                f"| {market} | {name} | {row['mae']:.3f} | {row['rmae']:.3f} | {row['smape']:.2f} "
                f"| {row['rmse']:.3f} | {'' if p is None else f'{p:.3f}'} | {seconds} |"
            )
    return "\n".join(lines) + "\n"


TABLES = {"epf": (PAGE, _table)}
WEEK = ("2017-12-04", "2017-12-10")  # a test week of NP (Monday .. Sunday), fixed beforehand


def plot_week(market: str = "NP") -> Path:
    """docs/images/epf-<market>-week.png: truth, seqlab, LEAR and DNN over :data:`WEEK`."""
    from matplotlib.figure import Figure

    from seqlab.bench.epf import market_files, read_published

    ours = pd.read_csv(HERE / "results" / f"epf_{market}.csv", index_col=0, parse_dates=True)
    _, published_path = market_files(market)
    assert published_path is not None
    published = read_published(published_path)
    start, end = pd.Timestamp(WEEK[0]), pd.Timestamp(WEEK[1]) + pd.Timedelta(hours=23)
    fig = Figure(figsize=(11, 4.5))
    ax = fig.subplots()
    week = published.loc[start:end]
    ax.plot(week.index, week["Real price"], color="black", linewidth=1.6, label="truth")
    ax.plot(ours.loc[start:end].index, ours.loc[start:end, "seqlab"], label="seqlab NBEATSx")
    ax.plot(week.index, week["LEAR Ensemble"], linestyle="--", label="LEAR ensemble")
    ax.plot(week.index, week["DNN Ensemble"], linestyle=":", label="DNN ensemble")
    ax.set_title(f"EPF {market}: day-ahead forecasts of a test week, {WEEK[0]} .. {WEEK[1]}")
    ax.set_ylabel("price (EUR/MWh)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    path = HERE.parent / "docs" / "images" / f"epf-{market.lower()}-week.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markets", nargs="+", default=["NP", "PJM", "BE"])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--plot", action="store_true", help="only draw the NP test week")
    parser.add_argument(
        "--recalibration",
        default="weekly",
        choices=["none", "weekly", "daily"],
        help="other than weekly: stored as <market>/<variant>/<recalibration>",
    )
    args = parser.parse_args()
    os.environ.setdefault("SEQLAB_DATA_DIR", str(HERE.parent.parent / "shared" / "data"))
    if args.plot:
        print("Drew", plot_week("NP"))
        return
    from seqlab.bench.epf import run_epf

    for market in args.markets:
        for variant in args.variants:
            r = run_epf(market, future=VARIANTS[variant], recalibration=args.recalibration)
            forecast, days = r.pop("forecast"), r["days"]
            key = f"{market}/{variant}"
            if args.recalibration != "weekly":
                key += f"/{args.recalibration}"
            elif variant == "future":
                hours = pd.date_range(days[0], periods=24 * len(days), freq="h")
                frame = pd.DataFrame({"date": hours, "seqlab": np.asarray(forecast).ravel()})
                frame.to_csv(
                    HERE / "results" / f"epf_{market}.csv", index=False, float_format="%.4f"
                )
            runs = _load()
            runs[key] = r
            RESULTS.write_text(json.dumps(runs, indent=1) + "\n")
            print(key, f"MAE {r['rows']['seqlab']['mae']:.3f}", flush=True)
    docs_tables.update(TABLES)
    if (HERE / "results" / "epf_NP.csv").exists():
        print("Drew", plot_week("NP"))


if __name__ == "__main__":
    main()
