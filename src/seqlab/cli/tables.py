"""The rich tables that ``seqlab forecast`` and ``seqlab predict`` print."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.table import Table

__all__ = ["leaderboard_table", "long_table", "panel_table"]


def panel_table(board, horizon: int) -> Table:
    """The leaderboard of a run on many series: means over series, sorted by OWA."""
    from seqlab.models import BASELINES
    from seqlab.report.html import format_cell
    from seqlab.report.panel import _COLUMNS, _cell

    table = Table(
        title=f"Leaderboard: every series' last {horizon} rows, means over series, by OWA",
        caption="OWA: sMAPE and MASE relative to Naive2 (M4); wins: series with the lowest "
        "MASE; MSIS and cover: the 95 % bands",
    )
    shown = [k for k in _COLUMNS if k in board.columns]
    table.add_column("model", no_wrap=True, min_width=11)
    for key in shown:
        table.add_column(_COLUMNS[key], justify="right")
    for name, row in board.iterrows():
        style = "dim italic" if name in BASELINES else None
        table.add_row(str(name), *(_cell(k, row[k], format_cell) for k in shown), style=style)
    return table


def leaderboard_table(board, horizon: int) -> Table:
    from seqlab.models import BASELINES
    from seqlab.report.html import format_cell

    table = Table(
        title=f"Leaderboard: test part, {horizon}-step forecasts, sorted by RMSE",
        caption="skill = 1 - RMSE/RMSE(naive); dir% = forecasts moving the way the truth did",
    )
    columns = {
        "rmse": "RMSE",
        "mae": "MAE",
        "mape": "MAPE%",
        "mase": "MASE",
        "skill": "skill",
        "direction": "dir%",
        "params": "params",
        "train_seconds": "train s",
    }
    table.add_column("model", no_wrap=True, min_width=11)
    for title in columns.values():
        table.add_column(title, justify="right")
    for name, row in board.iterrows():
        cells = [format_cell(k, row[k]) for k in columns]
        style = "dim italic" if name in BASELINES else None
        table.add_row(str(name), *cells, style=style)
    return table


def long_table(fc: Any, future: pd.DataFrame, rows: int = 12) -> Table:
    """The first ``rows`` rows of a long forecast, as a table."""
    series = future.iloc[:, 0].nunique()
    table = Table(title=f"{fc.model}: next {fc.horizon} steps of {series} series")
    for column in future.columns:
        table.add_column(str(column), justify="left" if column == future.columns[0] else "right")
    for values in future.head(rows).itertuples(index=False):
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in values))
    if len(future) > rows:
        table.caption = f"the first {rows} of {len(future)} rows"
    return table
