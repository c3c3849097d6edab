"""One self-contained HTML page per run: leaderboard, verdict, plots (embedded), config."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from seqlab.io import atomic_write
from seqlab.version import __version__

if TYPE_CHECKING:
    from seqlab.tasks.forecasting.experiment import RunResult

__all__ = ["describes_daily_prices", "format_cell", "verdict", "write_report"]

# Column names that say a series is a price (OHLC and the like), in lower case.
_PRICE_NAMES = {"close", "adj close", "adj_close", "adjclose", "open", "high", "low", "price"}

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1100px; color: #202124; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta { color: #5f6368; font-size: .9rem; }
.verdict { background: #f1f3f4; border-left: 4px solid #1a73e8; padding: .6rem 1rem; }
table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid #dadce0; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f8f9fa; }
tr.baseline td { color: #5f6368; font-style: italic; }
img { max-width: 100%; border: 1px solid #dadce0; margin: .5rem 0 1rem; }
pre { background: #f8f9fa; padding: .8rem; overflow-x: auto; font-size: .85rem; }
"""

_COLUMNS = {
    "rmse": "RMSE",
    "mae": "MAE",
    "mape": "MAPE %",
    "mase": "MASE",
    "skill": "skill",
    "direction": "direction %",
    "params": "params",
    "train_seconds": "train s",
    "precision": "arithmetic",
    "inputs": "inputs (past; future known ahead)",
}


def format_cell(key: str, value: float | str) -> str:
    """One leaderboard number as the CLI and the report both show it."""
    if key in ("precision", "inputs"):  # text; none for a baseline's arithmetic
        return value if isinstance(value, str) and value else "—"  # (NaN when read back)
    if key == "params":
        return f"{int(value):,}"
    if key == "skill":
        return f"{value:+.3f}"
    if key == "mase":
        return f"{value:.3f}"
    if key in ("mape", "direction", "train_seconds"):
        return f"{value:.1f}"
    return f"{value:.4g}"


def describes_daily_prices(target: str, freq: str) -> bool:
    """Is the series daily (calendar or business days) and named like a price?"""
    return freq in ("B", "D", "C") and target.strip().lower() in _PRICE_NAMES


def _next_steps(result: RunResult) -> str:
    """The next-steps table; a sentence for the models that need the future rows."""
    table = result.future()
    missing = [m for m in result.evaluations if m not in result.forecasts]
    note = (
        f'<p class="meta">{html.escape(", ".join(missing))}: no forecast past the data, '
        "since they read future features; give their next rows with --future FILE.</p>"
        if missing
        else ""
    )
    shown = table.to_html(float_format=lambda v: f"{v:.4g}", border=0) if len(table) else ""
    return shown + note


def verdict(result: RunResult) -> str:
    """One plain sentence on the comparison that matters: neural models against naive (see
    :func:`verdict_for`)."""
    return verdict_for(result.leaderboard, result.target, result.freq)


def verdict_for(board: pd.DataFrame, target: str, freq: str) -> str:
    """The verdict on a leaderboard (one row per model, with a ``skill`` column).

    The words follow the data: "tomorrow = today" and the note on prices only for daily
    price data; otherwise the naive forecast is "the last value, repeated".
    """
    from seqlab.models import BASELINES

    neural = board.drop(index=list(BASELINES), errors="ignore")
    winners = neural[neural["skill"] > 0]
    if len(winners):
        best = winners["skill"].idxmax()
        return (
            f"{', '.join(map(str, winners.index))} beat the naive forecast on the test part; "
            f"the best is {best} with skill {winners['skill'].max():.3f}."
        )
    if describes_daily_prices(target, freq):
        return (
            "No neural model beat the naive forecast (tomorrow = today) on the test part; on "
            "daily prices that is the common, honest outcome."
        )
    return (
        "No neural model beat the naive forecast (the last value, repeated) on the test part; "
        "try a longer lookback, more epochs, other models or features."
    )


def _table(board: pd.DataFrame) -> str:
    from seqlab.models import BASELINES

    head = "".join(f"<th>{h}</th>" for h in ["model", *_COLUMNS.values()])
    rows = []
    for name, row in board.iterrows():
        cells = [f"<td>{html.escape(str(name))}</td>"]
        for key in _COLUMNS:
            value = row.get(key, "")  # "" in runs saved before "inputs" existed
            cells.append(f"<td>{html.escape(format_cell(key, value))}</td>")
        cls = ' class="baseline"' if name in BASELINES else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def write_report(result: RunResult, images: dict[str, Path], folder: Path) -> Path:
    """``report.html`` in ``folder``: one self-contained page of the run."""
    cfg = result.config
    source = cfg.data or f"bundled dataset {cfg.dataset}"
    split, index = result.split, result.data.index
    figures = "".join(
        f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' "
        f"src='data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}'>"
        for title, path in images.items()
    )
    windows = len(next(iter(result.evaluations.values())).y_true)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>seqlab run: {html.escape(source)}</title>
<style>{_CSS}</style></head><body>
<h1>Forecasting {html.escape(str(result.target))} — {html.escape(source)}</h1>
<p class="meta">lookback {cfg.lookback}, horizon {cfg.horizon} ({cfg.strategy}), seed {cfg.seed};
train {index[0].date()} .. {index[split.train_end - 1].date()}, validation ..
{index[split.val_end - 1].date()}, test .. {index[-1].date()}; scaler fitted on train only;
{windows} test windows; {result.seconds:.0f} s; seqlab {__version__}</p>
<p class="verdict">{html.escape(verdict(result))}</p>
<h2>Leaderboard (test part, data units)</h2>
{_table(result.leaderboard)}
<p class="meta">skill = 1 − RMSE / RMSE<sub>naive</sub>; MASE scales MAE by the in-sample
one-step naive error; direction = share of forecasts that move the same way as the truth.</p>
<h2>Next {cfg.horizon} steps</h2>
{_next_steps(result)}
{figures}
<h2>Configuration</h2><pre>{html.escape(json.dumps(asdict(cfg), indent=2))}</pre>
</body></html>
"""
    path = folder / "report.html"
    atomic_write(path, page.encode())
    return path
