"""The EPF day-ahead benchmark on NP, PJM and BE: an ensemble of seqlab's networks with the
day's exogenous forecasts, calendar and holidays, its ablation without them, and the paper's
naive, LEAR and DNN ensembles on the same 728 test days.

The ensemble is chosen on validation (``--select``): every candidate network forecasts the
364 days before each market's test part, and the subset whose mean forecast has the lowest
rMAE averaged over the three markets is kept (:func:`select`). Each run goes through
``seqlab.bench.epf.run_epf`` (its defaults: each network in RevIN at its size of
``RECIPES``, dropout 0.2, MAE loss, trained on the midnight origins of the four years before
the test part with the last 364 days for early stopping, 2 seeds each, trained further for 1
epoch on the latest 364 days every 7th test day) and is written to
benchmarks/results/epf.json; its daily forecasts to benchmarks/results/epf_<market>.csv; the
tables in docs/results/epf.md are rewritten from the JSON.

    python benchmarks/epf.py --select                # choose, then NP, PJM, BE, with and without
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

        def label(r: dict) -> str:
            return "seqlab " + "+".join(r["model"].split(","))

        shown = [(f"{label(run)} (future covariates)", run["rows"]["seqlab"], run)]
        if len(run.get("members", {})) > 1:
            shown += [(f"· {name} alone", row, None) for name, row in run["members"].items()]
        daily = runs.get(f"{market}/future/daily")
        if daily is not None:
            shown.append((f"{label(daily)}, updated daily", daily["rows"]["seqlab"], daily))
        lear_daily = runs.get(f"{market}/future/lear-daily")
        if lear_daily is not None:
            name = f"{label(lear_daily)}, LEAR re-estimated daily"
            shown.append((name, lear_daily["rows"]["seqlab"], lear_daily))
        if ablation is not None:
            shown.append(
                (f"{label(ablation)}, no future covariates", ablation["rows"]["seqlab"], ablation)
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


def _selection_table() -> str:
    chosen = _load().get("selection")
    if chosen is None:
        return "(run `python benchmarks/epf.py --select`)\n"
    markets = chosen["markets"]
    lines = [
        "| models averaged | " + " | ".join(f"{m} rMAE" for m in markets) + " | mean |",
        "|---|" + "---:|" * (len(markets) + 1),
    ]
    for name in chosen["candidates"][markets[0]]:
        per = [chosen["candidates"][m][name] for m in markets]
        lines.append(f"| {name} alone | " + " | ".join(f"{v:.3f}" for v in per))
        lines[-1] += f" | {np.mean(per):.3f} |"
    for i, best in enumerate(chosen["best"][:5]):
        name = "+".join(best["models"]) + (" (chosen)" if i == 0 else "")
        per = [best["rmae"][m] for m in markets]
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in per))
        lines[-1] += f" | {best['mean_rmae']:.3f} |"
    return "\n".join(lines) + "\n"


TABLES = {"epf": (PAGE, _table), "epf-selection": (PAGE, _selection_table)}
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
    models = _load()[f"{market}/future"]["model"].replace(",", "+")
    ax.plot(ours.loc[start:end].index, ours.loc[start:end, "seqlab"], label=f"seqlab {models}")
    ax.plot(week.index, week["LEAR Ensemble"], linestyle="--", label="LEAR ensemble (published)")
    ax.plot(week.index, week["DNN Ensemble"], linestyle=":", label="DNN ensemble (published)")
    ax.set_title(f"EPF {market}: day-ahead forecasts of a test week, {WEEK[0]} .. {WEEK[1]}")
    ax.set_ylabel("price (EUR/MWh)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    path = HERE.parent / "docs" / "images" / f"epf-{market.lower()}-week.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


# The networks whose two-seed validation run takes a few minutes on one core (37-163 s);
# tcn took 462-578 s and the transformer more than 20 minutes, too slow for the aim of one
# market's whole run in under 30 minutes, so they are not candidates.
CANDIDATES = ["dlinear", "nbeats", "gru", "lstm", "segrnn", "lear"]
VALIDATION_DAYS = 364  # the year before each test part on which the ensemble is chosen
DEV = HERE / "results" / "epf_dev"  # the candidates' validation forecasts (not committed)


def select(markets: list[str], seeds: int = 2) -> list[str]:
    """Choose the ensemble on validation: each candidate network forecasts the 364 days
    before each market's test part (trained on the years before them, with the same
    protocol; the test part is never read), and every subset of candidates is scored by its
    mean forecast's rMAE averaged over the markets. The lowest is the ensemble of the runs;
    the candidates' and the best subsets' scores go to the JSON under "selection"."""
    from itertools import combinations

    from seqlab.bench.epf import TEST_DAYS, market_files, naive_day_ahead, read_epf, run_epf

    DEV.mkdir(parents=True, exist_ok=True)
    forecasts: dict[str, dict[str, np.ndarray]] = {}
    truths, naives = {}, {}
    for market in markets:
        df = read_epf(market_files(market)[0])
        days = pd.DatetimeIndex(df.index).normalize().unique()
        first_test = days[-TEST_DAYS]
        dev_days = days[days < first_test][-VALIDATION_DAYS:]
        hours = pd.date_range(dev_days[0], periods=24 * len(dev_days), freq="h")
        truths[market] = df["price"].reindex(hours).to_numpy().reshape(-1, 24)
        naives[market] = naive_day_ahead(df["price"], dev_days).to_numpy().reshape(-1, 24)
        forecasts[market] = {}
        for name in CANDIDATES:
            cached = DEV / f"{market}_future_{name}.npy"
            if not cached.exists():
                r = run_epf(
                    market,
                    model=name,
                    seeds=seeds,
                    before=str(first_test),
                    test_days=VALIDATION_DAYS,
                )
                np.save(cached, r["forecast"])
                print(market, name, f"validation MAE {r['rows']['seqlab']['mae']:.3f}", flush=True)
            forecasts[market][name] = np.load(cached)

    def rmae(market: str, forecast: np.ndarray) -> float:
        truth = truths[market]
        return float(np.abs(truth - forecast).mean() / np.abs(truth - naives[market]).mean())

    scored = []
    for k in range(1, len(CANDIDATES) + 1):
        for subset in combinations(CANDIDATES, k):
            per = {m: rmae(m, np.mean([forecasts[m][n] for n in subset], axis=0)) for m in markets}
            scored.append((float(np.mean(list(per.values()))), list(subset), per))
    scored.sort(key=lambda item: item[0])
    runs = _load()
    runs["selection"] = {
        "markets": markets,
        "seeds": seeds,
        "candidates": {m: {n: rmae(m, forecasts[m][n]) for n in CANDIDATES} for m in markets},
        "best": [{"models": s, "rmae": per, "mean_rmae": mean} for mean, s, per in scored[:10]],
        "chosen": scored[0][1],
    }
    RESULTS.write_text(json.dumps(runs, indent=1) + "\n")
    print("chosen on validation:", ",".join(scored[0][1]), f"mean rMAE {scored[0][0]:.4f}")
    return scored[0][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markets", nargs="+", default=["NP", "PJM", "BE"])
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--plot", action="store_true", help="only draw the NP test week")
    parser.add_argument(
        "--select",
        action="store_true",
        help="first choose the ensemble on the validation year before each test part",
    )
    parser.add_argument(
        "--models",
        help="networks averaged, comma-separated [default: the ensemble chosen by --select]",
    )
    parser.add_argument("--seeds", type=int, default=2, help="models of each network")
    parser.add_argument(
        "--recalibration",
        default="weekly",
        choices=["none", "weekly", "daily"],
        help="other than weekly: stored as <market>/<variant>/<recalibration>",
    )
    parser.add_argument(
        "--lear-recalibration",
        choices=["none", "weekly", "daily"],
        help="LEAR's, if not --recalibration: stored as <market>/<variant>/lear-<it>",
    )
    args = parser.parse_args()
    os.environ.setdefault("SEQLAB_DATA_DIR", str(HERE.parent.parent / "shared" / "data"))
    if args.plot:
        print("Drew", plot_week("NP"))
        return
    from seqlab.bench.epf import run_epf

    if args.select:
        select(["NP", "PJM", "BE"])
    models = args.models or ",".join(_load().get("selection", {}).get("chosen", ["nbeats"]))
    for market in args.markets:
        for variant in args.variants:
            r = run_epf(
                market,
                model=models,
                seeds=args.seeds,
                future=VARIANTS[variant],
                recalibration=args.recalibration,
                lear_recalibration=args.lear_recalibration,
            )
            r.pop("member_forecasts")
            forecast, days = r.pop("forecast"), r["days"]
            key = f"{market}/{variant}"
            if args.recalibration != "weekly":
                key += f"/{args.recalibration}"
            elif args.lear_recalibration not in (None, args.recalibration):
                key += f"/lear-{args.lear_recalibration}"
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
