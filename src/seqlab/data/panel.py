"""Many series at once: long-format frames in, one flat array of values out.

A :class:`Panel` holds every series one after another in one (T, C) array, with per-series
offsets: series s is rows ``offsets[s] : offsets[s+1]``. Windows are then (series, start)
pairs over that one array (:class:`PanelWindowSet`), gathered from ``Tensor.unfold`` views
as for one series: no window is ever materialised, and none crosses two series, because a
window is only ever indexed from a start that leaves its L + H rows inside its own series.

The split is per series, M4's: the last H rows of each series are its test part and the H
before them its validation part; the rest trains.

where:
    S  series   T  rows of all series together   C  columns   L  lookback   H  horizon
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from seqlab.data.known import calendar_frame
from seqlab.data.windows import Windows
from seqlab.errors import DataError

__all__ = ["Panel", "PanelSplit", "PanelWindowSet", "calendar_features", "wide_to_long"]

ID, TIME, TARGET = "unique_id", "ds", "y"  # NeuralForecast's names, the defaults


def wide_to_long(
    df: pd.DataFrame, id_col: str = ID, time_col: str = TIME, value_col: str = TARGET
) -> pd.DataFrame:
    """A wide frame (one column per series, time as the index) as a long one: one row per
    (series, time), NaN rows (a series that starts late or ends early) dropped.

    Example:
        >>> wide = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, None]},
        ...                     index=pd.date_range("2024-01-01", periods=2, name="date"))
        >>> wide_to_long(wide).to_dict("list")["unique_id"]
        ['a', 'a', 'b']
    """
    if df.columns.has_duplicates:
        raise DataError(
            f"columns of the wide frame must name each series once; got "
            f"{df.columns[df.columns.duplicated()][0]!r} twice. Rename the columns.",
            param="columns",
        )
    long = df.rename_axis(index=time_col, columns=id_col).stack(future_stack=True)
    long = pd.Series(long, name=value_col).reset_index().dropna(subset=[value_col])
    order = long[id_col].map({c: i for i, c in enumerate(df.columns)}).to_numpy()
    long = long.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    return long[[id_col, time_col, value_col]]


@dataclass
class Panel:
    """Every series of a long frame, one after another: ``values`` (T, C) float64 with the
    targets first, ``offsets`` (S+1,), ``ids`` (S,), each series' first time ``first`` (S,)
    and one step ``freq`` (a pandas offset alias, or None when time is a step count)."""

    values: np.ndarray
    offsets: np.ndarray
    ids: np.ndarray
    first: pd.Index
    freq: str | None
    columns: list[str]
    targets: list[str]

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def __len__(self) -> int:
        return len(self.ids)

    def series(self, s: int) -> np.ndarray:
        """The (n_s, C) values of series ``s``."""
        return self.values[self.offsets[s] : self.offsets[s + 1]]

    def times(self, s: int, start: int = 0, steps: int | None = None) -> pd.Index:
        """The times of rows ``start .. start+steps`` of series ``s`` (past its end too)."""
        steps = int(self.lengths[s]) - start if steps is None else steps
        if self.freq is None:
            return pd.RangeIndex(self.first[s] + start, self.first[s] + start + steps)
        return pd.date_range(self.first[s], periods=start + steps, freq=self.freq)[start:]

    def select(self, keep: np.ndarray) -> Panel:
        """The series where ``keep`` (S,) is True."""
        if keep.all():
            return self
        rows = np.repeat(keep, self.lengths)
        lengths = self.lengths[keep]
        return Panel(
            self.values[rows],
            np.concatenate([[0], np.cumsum(lengths)]),
            self.ids[keep],
            self.first[keep],
            self.freq,
            self.columns,
            self.targets,
        )

    @classmethod
    def from_long(
        cls,
        df: pd.DataFrame,
        id_col: str = ID,
        time_col: str = TIME,
        target: str | list[str] = TARGET,
        features: list[str] | None = None,
        missing: str = "error",
    ) -> Panel:
        """Check a long frame and lay its series out one after another, sorted by id and
        time. Each (id, time) pair must be unique, every series must step at one frequency,
        the same for all, and there must be at least two series.

        Example:
            >>> long = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 4,
            ...                      "ds": [1, 2, 3, 5, 6, 7, 8], "y": range(7)})
            >>> p = Panel.from_long(long)
            >>> p.offsets.tolist(), p.freq, p.times(1, 4, 2).tolist()
            ([0, 3, 7], None, [9, 10])
        """
        targets = [target] if isinstance(target, str) else list(target)
        columns = targets + [f for f in (features or []) if f not in targets]
        if not isinstance(df, pd.DataFrame):
            raise DataError(
                f"data must be a long DataFrame with columns {id_col!r}, {time_col!r} and the "
                f"target; got {type(df).__name__}. Convert a wide frame with wide_to_long.",
                param="data",
            )
        for option, name in (("id_col", id_col), ("time_col", time_col)):
            if name not in df.columns:
                raise DataError(
                    f"{option} of the long data must name a column; got {name!r}, but the "
                    f"columns are {', '.join(map(str, df.columns))}. Pass {option} (--"
                    f"{option.replace('_', '-')}) with the right name.",
                    param=option,
                )
        for name in columns:
            if name not in df.columns:
                raise DataError(
                    f"column {name!r} of the long data must exist; got columns "
                    f"{', '.join(map(str, df.columns))}. Choose the target and features among "
                    "them.",
                    param=("target", "features"),
                )
            if not pd.api.types.is_numeric_dtype(df[name]) or pd.api.types.is_bool_dtype(df[name]):
                raise DataError(
                    f"column {name!r} of the long data must be numeric; got dtype "
                    f"{df[name].dtype}. Clean the column or leave it out of features.",
                    param=("target", "features"),
                )
        codes, uniques = pd.factorize(df[id_col], sort=True)
        if len(uniques) < 2:
            one = uniques[0] if len(uniques) else None
            raise DataError(
                f"{id_col} of the long data must hold at least two series; got one, {one!r}. "
                "Drop id_col (--id-col) to forecast a single series.",
                param="id_col",
            )
        stamps, is_dates = _time_values(df[time_col], time_col)
        order = _sort_order(codes, stamps)
        if order is not None:
            codes, stamps = codes[order], stamps[order]
        lengths = np.bincount(codes, minlength=len(uniques))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        step = _check_steps(stamps, offsets, uniques, id_col, time_col, is_dates)
        values = df[columns].to_numpy(dtype=np.float64, na_value=np.nan)
        values = values if order is None else values[order]
        values = _fill(values, codes, offsets, uniques, missing, columns)
        first = stamps[offsets[:-1]]
        if is_dates:
            first_index: pd.Index = pd.DatetimeIndex(first.view("datetime64[ns]"))
            s = int(np.argmax(lengths))  # the longest series says the frequency best
            longest = stamps[offsets[s] : offsets[s + 1]].view("datetime64[ns]")
            freq = _alias(pd.DatetimeIndex(longest), step)
        else:
            first_index, freq = pd.Index(first), None
        ids = np.asarray([str(u) for u in uniques], dtype=object)
        return cls(values, offsets, ids, first_index, freq, columns, targets)

    def drop_short(self, rows: int, reason: str) -> Panel:
        """Leave out the series shorter than ``rows``, counted in one warning line."""
        short = self.lengths < rows
        if not short.any():
            return self
        if short.all():
            raise DataError(
                f"data must have a series of at least {rows} rows ({reason}); got series of at "
                f"most {int(self.lengths.max())} rows. Use a shorter lookback or horizon.",
                param="lookback",
            )
        s = int(np.flatnonzero(short)[np.argmin(self.lengths[short])])
        warnings.warn(
            f"left out {int(short.sum())} of {len(self)} series shorter than {rows} rows "
            f"({reason}); the shortest is {self.ids[s]!r} with {int(self.lengths[s])}.",
            UserWarning,
            stacklevel=4,
        )
        return self.select(~short)


def _time_values(column: pd.Series, name: str) -> tuple[np.ndarray, bool]:
    """Times as int64: nanoseconds for dates, the numbers themselves for step counts."""
    if pd.api.types.is_integer_dtype(column):
        return column.to_numpy(np.int64), False
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric and (column % 1 == 0).all():
        return column.to_numpy().astype(np.int64), False
    parsed = pd.to_datetime(column, errors="coerce", format="mixed")
    if parsed.isna().any():
        row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise DataError(
            f"{name} of the long data must hold dates or whole step numbers; got "
            f"{column.iloc[row]!r} at row {row}. Fix that value, or pass time_col (--time-col).",
            param="time_col",
        )
    return parsed.to_numpy().astype("datetime64[ns]").view(np.int64), True


def _sort_order(codes: np.ndarray, stamps: np.ndarray) -> np.ndarray | None:
    """Rows in (series, time) order; None (no copy at all) when they already are."""
    same = codes[1:] == codes[:-1]
    if (codes[1:] >= codes[:-1]).all() and (stamps[1:][same] > stamps[:-1][same]).all():
        return None
    return np.lexsort((stamps, codes))


def _check_steps(stamps, offsets, ids, id_col: str, time_col: str, is_dates: bool) -> int:
    """The one step between consecutive rows of every series; one sentence naming the
    series that repeats a time, skips one, or steps at another frequency."""
    gaps = np.diff(stamps)
    inside = np.ones(len(gaps), dtype=bool)
    inside[offsets[1:-1] - 1] = False  # the gap from one series' end to the next's start

    def name(row: int) -> str:
        return repr(str(ids[np.searchsorted(offsets, row, side="right") - 1]))

    if (gaps[inside] == 0).any():
        row = int(np.flatnonzero(inside & (gaps == 0))[0])
        when = pd.Timestamp(stamps[row]) if is_dates else stamps[row]
        raise DataError(
            f"({id_col}, {time_col}) of the long data must be unique; got series {name(row)} "
            f"twice at {when}. Aggregate or drop the duplicated rows.",
            param="time_col",
        )
    lengths = np.diff(offsets)
    steps = np.full(len(lengths), -1, dtype=np.int64)
    multi = np.flatnonzero(lengths > 1)
    steps[multi] = gaps[offsets[multi]]  # each series' first step
    common = int(np.bincount(np.unique(steps[multi], return_inverse=True)[1]).argmax())
    step = int(np.unique(steps[multi])[common])
    if is_dates and pd.Timedelta(step) >= pd.Timedelta(days=28):
        return step  # months and longer have uneven steps; pandas infers them per series
    odd = inside & (gaps != step)
    if odd.any():
        row = int(np.flatnonzero(odd)[0])
        shown = (lambda v: pd.Timedelta(v)) if is_dates else (lambda v: v)
        raise DataError(
            f"{time_col} of the long data must step at one frequency in every series; got "
            f"series {name(row)} stepping {shown(int(gaps[row]))} where the others step "
            f"{shown(step)}. Fill its gaps or resample it to one frequency.",
            param="time_col",
        )
    return step


def _alias(first_series: pd.DatetimeIndex, step: int) -> str:
    from seqlab.data.table import infer_frequency

    if len(first_series) >= 3:
        return infer_frequency(first_series)
    return str(pd.tseries.frequencies.to_offset(pd.Timedelta(step)).freqstr)


def _fill(values, codes, offsets, ids, missing: str, columns: list[str]) -> np.ndarray:
    bad = ~np.isfinite(values)
    if not bad.any():
        return values
    if missing == "error":
        row, col = (int(i[0]) for i in np.nonzero(bad))
        raise DataError(
            f"column {columns[col]!r} of the long data must have no missing or infinite "
            f"values; got {int(bad.sum())}, the first in series {str(ids[codes[row]])!r} at its "
            f"row {row - offsets[codes[row]]}. Pass missing='ffill' or 'interpolate'.",
            param="missing",
        )
    frame = pd.DataFrame(np.where(bad, np.nan, values))
    groups = frame.groupby(codes, sort=False)
    if missing == "ffill":
        filled = groups.ffill().groupby(codes, sort=False).bfill()
    else:
        filled = groups.transform(lambda g: g.interpolate().bfill().ffill())
    return filled.to_numpy()


@dataclass(frozen=True)
class PanelSplit:
    """Per series, M4's split: the last ``horizon`` rows test, the ``horizon`` before them
    validation, the rest training (all as row counts from each series' start)."""

    lengths: np.ndarray
    horizon: int

    @property
    def train_end(self) -> np.ndarray:
        return self.lengths - 2 * self.horizon

    @property
    def val_end(self) -> np.ndarray:
        return self.lengths - self.horizon

    def end(self, part: str) -> np.ndarray:
        """Where each series' ``part`` ends: its windows' targets end there (or before)."""
        return {"train": self.train_end, "val": self.val_end, "test": self.lengths}[part]


class PanelWindowSet:
    """The windows of one part of a panel, indexed 0 .. len-1 without listing them: window k
    is the ``k - cum[s]``-th of series s, found by a binary search over ``cum`` (S+1,).

    Series s contributes ``counts[s]`` windows, the first starting at row ``first[s]`` of the
    flat array. With ``series=True`` a batch's inputs are ``(x, series index)``.
    """

    def __init__(self, windows: Windows, first: Tensor, counts: Tensor, series: bool = False):
        self.windows = windows
        self.first = first
        self.cum = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
        self.series = series

    def __len__(self) -> int:
        return int(self.cum[-1])

    def locate(self, index: Tensor) -> tuple[Tensor, Tensor]:
        """(series, start row in the flat array) of windows ``index``."""
        index = index.long()
        s = torch.searchsorted(self.cum, index, right=True) - 1
        return s, self.first[s] + (index - self.cum[s])

    def batch(self, index: Tensor) -> tuple[Any, Tensor]:
        s, starts = self.locate(index)
        inputs, y = self.windows.batch(starts)
        x, *future = inputs if isinstance(inputs, tuple) else (inputs,)
        if self.series:
            return (x, s.to(x.device), *future), y
        return inputs, y

    @classmethod
    def of(
        cls,
        windows: Windows,
        offsets: np.ndarray,
        split: PanelSplit,
        part: str,
        series: bool = False,
    ) -> PanelWindowSet:
        """Every window whose H targets lie in ``part`` of each series (train: all that fit
        before the validation rows; validation and test: the one ending at the part's end)."""
        lookback, horizon = windows.lookback, split.horizon
        end = split.end(part)
        if part == "train":
            first = np.zeros_like(end)
            counts = np.maximum(end - lookback - horizon + 1, 0)
        else:
            first, counts = end - lookback - horizon, np.ones_like(end)
        starts = torch.as_tensor(offsets[:-1] + first, dtype=torch.long)
        return cls(windows, starts, torch.as_tensor(counts, dtype=torch.long), series)


def calendar_features(panel: Panel) -> tuple[np.ndarray, list[str]]:
    """Sine and cosine of the hour of day (for steps under a day), the day of the week (under
    a week) and the month, for every row of a dated panel: (T, k) and their names."""
    if panel.freq is None:
        raise DataError(
            "calendar features of a panel need dates in the time column; got step numbers. Pass "
            "calendar=False, or give the time column as dates.",
            param="calendar",
        )
    step = pd.Timedelta(
        pd.date_range(panel.first[0], periods=2, freq=panel.freq).to_series().diff().iloc[1]
    )
    parts = [calendar_frame(pd.DatetimeIndex(panel.times(s)), step) for s in range(len(panel))]
    return np.concatenate([p.to_numpy(np.float32) for p in parts]), list(parts[0].columns)
