"""The plots and the HTML page of a run on many series (:class:`PanelRunResult`): the
aggregate leaderboard, a grid of sample series with their bands, and the distribution of
the errors over series."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from seqlab.io import atomic_write
from seqlab.models import BASELINES
from seqlab.report.plots import _save, loss_curves
from seqlab.version import __version__

if TYPE_CHECKING:
    from seqlab.tasks.forecasting.experiment_panel import PanelRunResult

__all__ = ["error_distribution", "series_grid", "write_panel_run"]

_COLUMNS = {
    "smape": "sMAPE %",
    "mase": "MASE",
    "owa": "OWA",
    "wins": "wins",
    "msis": "MSIS",
    "coverage_80": "cover 80 %",
    "coverage_95": "cover 95 %",
    "params": "params",
    "train_seconds": "train s",
    "inputs": "inputs (past; static)",
}


def best_model(result: PanelRunResult) -> str:
    """The model with the lowest OWA."""
    return str(result.leaderboard.index[0])


def series_grid(result: PanelRunResult, path: Path, count: int = 6) -> Path:
    """``count`` series spread over the best model's error range (its best, median, worst,
    ...): the last rows before the test part, the truth, the forecast and its bands."""
    name = best_model(result)
    ev = result.evaluations[name]
    order = np.argsort(ev.per_series["mase"].to_numpy())
    picks = order[np.linspace(0, len(order) - 1, min(count, len(order))).round().astype(int)]
    cols = 3
    rows = -(-len(picks) // cols)
    fig = Figure(figsize=(4.2 * cols, 2.8 * rows))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    groups = result.data.groupby(result.id_col, sort=True)
    horizon = ev.y_true.shape[1]
    for ax, s in zip(axes, picks, strict=False):
        sid = ev.ids[s]
        values = groups.get_group(sid)[result.target].to_numpy()
        past = values[:-horizon][-3 * horizon :]
        t_past = np.arange(-len(past), 0)
        t_next = np.arange(horizon)
        ax.plot(t_past, past, color="#5f6368", linewidth=1)
        ax.plot(t_next, ev.y_true[s], color="black", linewidth=1.2, label="actual")
        for level, alpha in zip(sorted(ev.bands, reverse=True), (0.18, 0.32), strict=False):
            lo, hi = ev.bands[level]
            ax.fill_between(t_next, lo[s], hi[s], color="C0", alpha=alpha, label=f"{level} %")
        ax.plot(t_next, ev.y_pred[s], color="C0", linewidth=1.2, label=name)
        ax.set_title(f"{sid}: MASE {ev.per_series['mase'].iloc[s]:.2f}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes[len(picks) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{name} on sample series (best to worst MASE): test part with its bands")
    return _save(fig, path)


def error_distribution(result: PanelRunResult, path: Path) -> Path:
    """Per-series MASE of every model, as box plots (log scale), best OWA first."""
    names = list(result.leaderboard.index)
    data = [result.evaluations[n].per_series["mase"].to_numpy() for n in names]
    fig = Figure(figsize=(max(6, 1.1 * len(names)), 4.5))
    ax = fig.subplots()
    ax.boxplot(data, showfliers=True, flierprops={"markersize": 2})
    ax.set_xticks(range(1, len(names) + 1), names, rotation=30, ha="right")
    ax.set_yscale("log")
    ax.set_ylabel("MASE per series (log)")
    ax.set_title(f"error over {len(data[0])} series")
    ax.grid(alpha=0.3, axis="y")
    return _save(fig, path)


def _table(board) -> str:
    from seqlab.report.html import format_cell

    shown = [k for k in _COLUMNS if k in board.columns]
    head = "".join(f"<th>{h}</th>" for h in ["model", *(_COLUMNS[k] for k in shown)])
    rows = []
    for name, row in board.iterrows():
        cells = [f"<td>{html.escape(str(name))}</td>"]
        cells += [f"<td>{html.escape(_cell(k, row[k], format_cell))}</td>" for k in shown]
        cls = ' class="baseline"' if name in BASELINES else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cell(key: str, value: float, format_cell) -> str:
    if key == "wins":
        return str(int(value))
    if key in ("smape", "owa", "msis", "coverage_80", "coverage_95"):
        return f"{value:.3f}" if key == "owa" else f"{value:.2f}"
    return format_cell(key, value)


def write_panel_run(result: PanelRunResult, folder: Path) -> dict[str, Path]:
    """The plots and ``report.html`` of a run on many series; {title: path}."""
    from seqlab.report.html import _CSS

    images = {
        "Sample series with their bands": series_grid(result, folder / "series_grid.png"),
        "Error distribution over series": error_distribution(
            result, folder / "error_distribution.png"
        ),
    }
    if result.histories:
        images["Training and validation loss"] = loss_curves(
            result.histories, folder / "loss_curves.png", result.loss
        )
    cfg = result.config
    n_series = len(next(iter(result.evaluations.values())).ids)
    missing = [m for m in result.evaluations if m not in result.forecasts]
    skipped = (
        f'<p class="meta">{html.escape(", ".join(missing))}: no forecast past the data in '
        "forecast.csv, since they read future features; give every series' next rows with "
        "--future FILE.</p>"
        if missing
        else ""
    )
    figures = "".join(
        f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' "
        f"src='data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}'>"
        for title, p in images.items()
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>seqlab run: {html.escape(str(cfg.data))}</title>
<style>{_CSS}</style></head><body>
<h1>Forecasting {html.escape(result.target)} of {n_series} series —
{html.escape(str(cfg.data))}</h1>
<p class="meta">one global model per network over all series; lookback {cfg.lookback}, horizon
{cfg.horizon}; per series the last {cfg.horizon} rows are the test part and the
{cfg.horizon} before them validation; each series scaled on its own training rows;
intervals {", ".join(map(str, cfg.levels))} %; {result.seconds:.0f} s; seqlab {__version__}</p>
<p class="verdict">{html.escape(verdict(result))}</p>
<h2>Leaderboard (means over series, sorted by OWA)</h2>
{_table(result.leaderboard)}
<p class="meta">sMAPE and MASE as in M4 (MASE over the in-sample seasonal naive error); OWA =
mean of sMAPE and MASE relative to Naive2; wins = series where the model has the lowest MASE;
MSIS = M4's interval score of the 95 % bands; cover = share of test values inside the band.</p>
{skipped}
{figures}
<h2>Configuration</h2><pre>{html.escape(json.dumps(asdict(cfg), indent=2))}</pre>
</body></html>
"""
    report = folder / "report.html"
    atomic_write(report, page.encode())
    return {**images, "Report": report}


def verdict(result: PanelRunResult) -> str:
    """One sentence: the best model, its OWA against Naive2 and against seasonal naive."""
    board = result.leaderboard
    name = best_model(result)
    owa, wins = board["owa"].to_dict(), board["wins"].to_dict()
    text = f"{name} has the best OWA, {owa[name]:.3f} (Naive2 = 1)"
    if "seasonal_naive" in owa and name != "seasonal_naive":
        text += f"; seasonal naive scores {owa['seasonal_naive']:.3f}"
    return text + f"; it wins {wins[name]} of {sum(wins.values())} series."
