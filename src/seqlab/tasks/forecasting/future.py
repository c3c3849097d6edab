"""What a Forecaster knows about the steps it forecasts: future-known covariates.

Three kinds, all fed to the model for the H forecast steps (and as ordinary inputs for the
L steps of the window): the columns of ``future_features`` (a weather or load forecast, a
promotion plan), whose values for the forecast steps ``predict`` takes in a second frame;
the calendar (``calendar=True``); public holidays (``holidays="NO"``). The last two are
functions of the date and need no file.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from seqlab.data.known import calendar_frame, holiday_column
from seqlab.data.table import future_index
from seqlab.errors import ConfigError, DataError

__all__ = [
    "describe_inputs",
    "future_rows",
    "generated_names",
    "step_of",
    "user_future",
    "with_generated",
]


def step_of(index: pd.DatetimeIndex) -> pd.Timedelta:
    """The data's typical step (the median gap), which decides the calendar's cycles."""
    return pd.Timedelta(pd.Series(index).diff().median())


def user_future(
    df: pd.DataFrame, future_features: Sequence[str] | None, strategy: str
) -> list[str]:
    """The ``future_features`` columns, each checked to be in ``df``."""
    names = list(future_features or [])
    absent = [c for c in names if c not in df.columns]
    if absent:
        raise DataError(
            f"future_features must name columns of the data; got {absent[0]!r}, which it does "
            f"not have (columns: {', '.join(map(str, df.columns))}). Check the spelling, or "
            "drop it from --future-features.",
            param="future_features",
        )
    if names and strategy == "recursive":
        raise ConfigError(
            "future_features of Forecaster need strategy='direct' (a one-step model fed its "
            f"own forecasts cannot be fed known values); got {names}. Drop strategy='recursive'.",
            param="strategy",
        )
    return names


def with_generated(data: pd.DataFrame, calendar: bool, holidays: str | None) -> pd.DataFrame:
    """``data`` with the calendar and holiday columns of its dates appended."""
    parts = [data]
    if calendar:
        times = pd.DatetimeIndex(data.index)
        parts.append(calendar_frame(times, step_of(times)))
    if holidays is not None:
        parts.append(holiday_column(pd.DatetimeIndex(data.index), holidays).to_frame())
    return pd.concat(parts, axis=1) if len(parts) > 1 else data


def generated_names(index: pd.DatetimeIndex, calendar: bool, holidays: str | None) -> list[str]:
    """The names :func:`with_generated` appends for data on ``index``."""
    names = list(calendar_frame(index[:2], step_of(index)).columns) if calendar else []
    return names + (["holiday"] if holidays is not None else [])


def future_rows(
    data: pd.DataFrame,
    freq: str | None,
    horizon: int,
    names: list[str],
    future: pd.DataFrame | None,
    generated: tuple[bool, str | None],
) -> pd.DataFrame:
    """The H rows after ``data`` of the columns ``names``: the user's from ``future``, the
    calendar and holidays generated; one sentence for what is missing."""
    if freq is None:
        raise DataError(
            "data of Forecaster.predict must have a regular step to date the forecast steps of "
            "its future covariates; got irregular dates. Resample the data to one step.",
            param="data",
        )
    index = future_index(pd.Timestamp(data.index[-1]), freq, horizon)
    tz = pd.DatetimeIndex(data.index).tz
    if tz is not None:
        index = index.tz_convert(tz) if index.tz else index.tz_localize(tz)
    known = with_generated(pd.DataFrame(index=index), *generated)
    wanted = [n for n in names if n not in known.columns]
    if not wanted:
        return known[names]
    if future is None:
        raise DataError(
            f"future of Forecaster.predict must give the next {horizon} rows of the future "
            f"covariates {', '.join(wanted)} (from {index[0]}); got none. Pass "
            "predict(df, future=future_df), or --future FILE on the command line.",
            param="future",
        )
    if not isinstance(future.index, pd.DatetimeIndex):
        raise DataError(
            "future of Forecaster.predict must be a frame with a DatetimeIndex, like the data; "
            f"got a {type(future.index).__name__}. Read it with seqlab.data.read_table.",
            param="future",
        )
    absent = [c for c in wanted if c not in future.columns]
    if absent:
        raise DataError(
            f"future of Forecaster.predict must have the column {absent[0]!r} (the model was "
            f"fitted with future_features {', '.join(wanted)}); got columns "
            f"{', '.join(map(str, future.columns))}. Add it to the future file.",
            param="future",
        )
    future = future.sort_index()
    after = future.loc[future.index > data.index[-1]]
    if len(after) == 0 or after.index[0] != index[0]:
        got = "nothing after it" if len(after) == 0 else f"{after.index[0]} first"
        raise DataError(
            f"future of Forecaster.predict must start right after the data's last row "
            f"{data.index[-1]}, at {index[0]}; got {got}. Give the future rows that follow "
            "the data, with no step skipped.",
            param="future",
        )
    rows = after.reindex(index)[wanted]
    if rows.isna().to_numpy().any():
        gap = rows.index[rows.isna().any(axis=1)][0]
        col = next(c for c in wanted if np.isnan(rows.loc[gap, c]))
        short = len(after) < horizon
        raise DataError(
            f"future of Forecaster.predict must give {col!r} for all {horizon} forecast steps "
            f"{index[0]} .. {index[-1]}; got "
            + (f"only {len(after)} rows" if short else f"a gap at {gap}")
            + ". Fill the future file up to the horizon.",
            param="future",
        )
    return pd.concat([rows, known], axis=1)[names]


def describe_inputs(inputs: dict[str, list[str]]) -> str:
    """``{"past": [...], "future": [...], "static": [...]}`` as one short line, the
    calendar's sine/cosine pairs as one word: "past: price, load; future: load, calendar"."""

    def short(names: list[str]) -> str:
        cal = [n for n in names if n.endswith(("_sin", "_cos"))]
        kept = [n for n in names if n not in cal] + (["calendar"] if cal else [])
        return ", ".join(kept)

    return "; ".join(f"{kind}: {short(names)}" for kind, names in inputs.items() if names)
