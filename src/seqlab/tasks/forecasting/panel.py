"""The Forecaster on long data: one global model over many series.

A long frame (id, time, target [, features]) becomes a :class:`~seqlab.data.panel.Panel`:
all series in one flat array. Each series is scaled on its own training rows, windows are
(series, start) pairs over that array (never materialised, never across two series), and
the split is M4's: per series, the last H rows test, the H before them validation. The
baselines read each series' whole history up to the forecast origin, as M4's did.

What fit learns of the series besides the weights is one :class:`ManySeries`, held by the
Forecaster as ``series_`` (None on one series): the Forecaster composes it, this module
knows nothing of the Forecaster.

Intervals come two ways. Split-conformal (:mod:`seqlab.tasks.forecasting.intervals`): the
validation window of every series gives absolute errors, each divided by its series'
seasonal MASE scale so that series of any size pool; the band at level l is the point
forecast ± the conformal bound of those errors (per step) × the series' scale. A quantile
head (``loss="pinball"``) learns the quantiles of ``levels`` directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from seqlab.data.panel import Panel, calendar_features
from seqlab.data.scaler import Scaler
from seqlab.errors import ConfigError, DataError
from seqlab.metrics import seasonal_scale
from seqlab.models import Shape
from seqlab.models.baselines import Naive2
from seqlab.tasks.forecasting.intervals import conformal_quantile

__all__ = [
    "Bands",
    "ManySeries",
    "history_forecasts",
    "naive2_forecasts",
    "panel_future_rows",
    "rows_from",
    "series_scales",
]

Bands = dict[int, tuple[np.ndarray, np.ndarray]]  # {level: (lo, hi)}, each (S, H)


def _scalers(panel: Panel, ends: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Per series (S, C) centre and scale of a :class:`Scaler` of ``kind`` fitted on its
    rows before ``ends``."""
    c = len(panel.columns)
    center, scale = np.zeros((len(panel), c)), np.ones((len(panel), c))
    for s in range(len(panel)):
        fitted = Scaler(kind).fit(panel.series(s)[: ends[s]])
        center[s], scale[s] = fitted.center, fitted.scale
    return center, scale


@dataclass
class ManySeries:
    """What a Forecaster learns of many series besides its weights.

    ``ids`` name the series of fit; ``center`` and ``scale`` (S, C) are each one's scaler,
    fitted on its training rows with the rule ``scaler``; ``calendar`` names the calendar
    columns fed beside the data; ``quantiles`` are a quantile head's (empty without one);
    ``static`` names the static covariates (one value per series, fed with every row), scaled
    by ``static_center`` and ``static_scale`` (K,), fitted over the series of fit.
    """

    ids: list[str]
    center: np.ndarray
    scale: np.ndarray
    calendar: list[str]
    quantiles: tuple[float, ...]
    scaler: str = "standard"
    static: list[str] = field(default_factory=list)
    static_center: np.ndarray = field(default_factory=lambda: np.zeros(0))
    static_scale: np.ndarray = field(default_factory=lambda: np.ones(0))

    @classmethod
    def fit(
        cls,
        panel: Panel,
        train_end: np.ndarray,
        *,
        scaler: str,
        calendar: bool,
        quantiles: tuple[float, ...],
        static: pd.DataFrame | None = None,
    ) -> ManySeries:
        """Fit each series' scaler on its rows before ``train_end`` (S,), and the static
        covariates' (``static``: one row per series, see :func:`static_values`) over them."""
        center, scale = _scalers(panel, train_end, scaler)
        names = calendar_features(panel)[1] if calendar else []
        many = cls([str(i) for i in panel.ids], center, scale, names, quantiles, scaler)
        if static is not None and static.shape[1]:
            fitted = Scaler(scaler).fit(static.to_numpy())
            assert fitted.center is not None and fitted.scale is not None
            many.static = [str(c) for c in static.columns]
            many.static_center, many.static_scale = fitted.center, fitted.scale
        return many

    def rows(self, panel: Panel) -> np.ndarray:
        """Each panel series' index among the series of fit; -1 for a series new to it."""
        known = {name: k for k, name in enumerate(self.ids)}
        return np.array([known.get(str(i), -1) for i in panel.ids])

    def scalers_for(self, panel: Panel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(S, C) centre and scale of each panel series: the fitted ones by ``rows`` (see
        :meth:`rows`), fitted on its own rows for a series new to the model."""
        center, scale = self.center[rows], self.scale[rows]
        new = np.flatnonzero(rows < 0)
        if len(new):
            own = _scalers(panel, panel.lengths, self.scaler)
            center[new], scale[new] = own[0][new], own[1][new]
        return center, scale

    def scaled(
        self,
        panel: Panel,
        center: np.ndarray,
        scale: np.ndarray,
        device: torch.device,
        static: pd.DataFrame | None = None,
    ) -> Tensor:
        """The model's input (T, C + calendar + static) as float32, each series scaled by its
        row of ``center`` and ``scale``; the calendar columns as they are; each series'
        static covariates (``static``, one row per series) on every one of its rows."""
        c, k = len(panel.columns), len(self.calendar)
        out = np.empty((len(panel.values), c + k + len(self.static)), dtype=np.float32)
        for s in range(len(panel)):
            part = slice(panel.offsets[s], panel.offsets[s + 1])
            out[part, :c] = (panel.series(s) - center[s]) / scale[s]
        if self.calendar:
            out[:, c : c + k] = calendar_features(panel)[0]
        if self.static:
            assert static is not None, "a model with static covariates is given their values"
            values = (static[self.static].to_numpy() - self.static_center) / self.static_scale
            out[:, c + k :] = np.repeat(values, np.diff(panel.offsets), axis=0)
        return torch.from_numpy(out).to(device)

    @torch.no_grad()
    def forecast(
        self,
        model: nn.Module,
        panel: Panel,
        origin: np.ndarray,
        rows: np.ndarray,
        *,
        lookback: int,
        embedded: bool,
        device: torch.device,
        static: pd.DataFrame | None = None,
        known: tuple[np.ndarray, list[int]] | None = None,
        chunk: int = 1024,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """A network's point forecasts (S, H) from each series' ``lookback`` rows before
        ``origin`` (S,), and with a quantile head its quantiles (S, H, Q), in the data's own
        units. ``embedded``: the model takes each series' index (its embedding) too.
        ``known``: the future covariates' rows after each origin (S, H, F) in the data's
        units, and their columns among the panel's (each scaled as its column)."""
        model.eval()
        center, scale = self.scalers_for(panel, rows)
        ahead = None
        if known is not None:
            values, at = known
            scaled = (values - center[:, None, at]) / scale[:, None, at]
            ahead = torch.as_tensor(scaled, dtype=torch.float32, device=device)
        inputs = self.scaled(panel, center, scale, device, static).unfold(0, lookback, 1)
        starts = torch.as_tensor(panel.offsets[:-1] + origin - lookback)
        series = torch.as_tensor(np.maximum(rows, 0))
        outputs = []
        for b in range(0, len(starts), chunk):
            x = inputs[starts[b : b + chunk].to(device)].transpose(1, 2)  # (N, L, C)
            extra = (series[b : b + chunk].to(device),) if embedded else ()
            if ahead is not None:
                extra = (*extra, ahead[b : b + chunk])
            outputs.append(model(x, *extra).double().cpu())
        y = torch.cat(outputs).numpy()  # (S, H, 1) or (S, H, Q), scaled
        y = y * scale[:, None, :1] + center[:, None, :1]
        if not self.quantiles:
            return y[:, :, 0], None
        return y[:, :, self.quantiles.index(0.5)], y

    def bands(
        self,
        point: np.ndarray,
        quantiles: np.ndarray | None,
        scale: np.ndarray,
        levels: Sequence[int],
        residuals: np.ndarray,
    ) -> Bands:
        """{level: (lo, hi)} (S, H) around ``point``: the quantile head's ``quantiles``,
        else the conformal bound of ``residuals`` times each series' ``scale``."""
        bands = {}
        for level in levels:
            if quantiles is not None:
                lo_q = round((100 - level) / 200, 6)
                if lo_q not in self.quantiles:
                    learned = sorted({round(200 * abs(0.5 - q)) for q in self.quantiles} - {0})
                    raise ConfigError(
                        f"levels of Forecaster.predict must be among the levels the quantile "
                        f"head learned ({', '.join(map(str, learned))}); got {level}. "
                        "Pass levels=[...] to the Forecaster before fit.",
                        param="levels",
                    )
                lo = quantiles[:, :, self.quantiles.index(lo_q)]
                hi = quantiles[:, :, self.quantiles.index(round(1 - lo_q, 6))]
            else:
                half = conformal_quantile(residuals, level)[None, :] * scale[:, None]
                lo, hi = point - half, point + half
            bands[int(level)] = (lo, hi)
        return bands


@torch.no_grad()
def history_forecasts(
    model: nn.Module,
    panel: Panel,
    origin: np.ndarray,
    horizon: int,
    *,
    device: torch.device | None = None,
    columns: int | None = None,
) -> np.ndarray:
    """A baseline's forecasts (S, H) from each series' whole history before ``origin`` (its
    first ``columns`` columns; all of them when None)."""
    out = np.empty((len(panel), horizon))
    for s in range(len(panel)):
        history = torch.tensor(panel.series(s)[: origin[s], :columns], device=device)
        out[s] = model(history[None])[0, :, 0].cpu().numpy()
    return out


def static_values(
    df: pd.DataFrame, id_col: str, names: Sequence[str] | None, ids: Sequence[Any] | np.ndarray
) -> pd.DataFrame | None:
    """One row per series of ``ids`` with its ``names`` columns of long ``df``, each checked
    to hold one number per series; None without names."""
    if not names:
        return None
    absent = [c for c in names if c not in df.columns]
    if absent:
        raise DataError(
            f"static_features must name columns of the data; got {absent[0]!r}, which it does "
            f"not have. Check the spelling, or drop it from --static-features.",
            param="static_features",
        )
    grouped = df.groupby(id_col, sort=False)[list(names)]
    varying = grouped.nunique(dropna=False).gt(1)
    if varying.to_numpy().any():
        rows, cols = np.nonzero(varying.to_numpy())
        series, column = varying.index[rows[0]], varying.columns[cols[0]]
        raise DataError(
            f"static_features must hold one value per series; got several for {column!r} in "
            f"series {series!r}. Move it to features, or give it one value per series.",
            param="static_features",
        )
    values = grouped.first().reindex(list(ids))
    numeric = all(pd.api.types.is_numeric_dtype(values[c]) for c in names)
    if not numeric or values.isna().to_numpy().any():
        raise DataError(
            "static_features must be numbers given for every series; got text or gaps in "
            f"{', '.join(names)}. Encode categories as numbers and fill the gaps.",
            param="static_features",
        )
    return values.astype(np.float64)


def panel_future_rows(
    panel: Panel,
    horizon: int,
    names: list[str],
    future: pd.DataFrame | None,
    id_col: str,
    time_col: str,
) -> np.ndarray:
    """The H rows after each series' end of the future covariates ``names`` (S, H, F), read
    from long ``future`` (id, time, the columns); one sentence for what is missing."""
    first = panel.times(0, int(panel.lengths[0]), 1)[0]
    if future is None:
        raise DataError(
            f"future of Forecaster.predict must give the next {horizon} rows of the future "
            f"covariates {', '.join(names)} for every series (from {first} for "
            f"{panel.ids[0]!r}); got none. Pass predict(df, future=future_df), or --future "
            "FILE on the command line.",
            param="future",
        )
    absent = [c for c in (id_col, time_col, *names) if c not in future.columns]
    if absent:
        raise DataError(
            f"future of Forecaster.predict must be a long table with the column {absent[0]!r} "
            f"(id, time and the future covariates {', '.join(names)}); got columns "
            f"{list(future.columns)}. Add it.",
            param="future",
        )
    times = future[time_col]
    if panel.freq is not None:
        times = pd.to_datetime(times)
    lookup = future.assign(**{time_col: times}).set_index([future[id_col].astype(str), time_col])
    out = np.empty((len(panel), horizon, len(names)))
    for s in range(len(panel)):
        wanted = panel.times(s, int(panel.lengths[s]), horizon)
        keys = pd.MultiIndex.from_arrays([[str(panel.ids[s])] * horizon, wanted])
        rows = lookup.reindex(keys)[names]
        gaps = rows.isna().any(axis=1).to_numpy()
        if gaps.any():
            raise DataError(
                f"future of Forecaster.predict must give series {panel.ids[s]!r} the "
                f"{horizon} rows after its last ({wanted[0]} on) of {', '.join(names)}; "
                f"got none or a gap at {wanted[int(np.argmax(gaps))]}. Add those rows.",
                param="future",
            )
        out[s] = rows.to_numpy(dtype=np.float64)
    return out


def rows_from(
    panel: Panel, origin: np.ndarray, horizon: int, columns: list[int] | None = None
) -> np.ndarray:
    """The target's rows origin .. origin+H of every series, (S, H); with ``columns``, those
    columns' rows instead, (S, H, len(columns))."""
    index = panel.offsets[:-1, None] + origin[:, None] + np.arange(horizon)
    return panel.values[index, 0] if columns is None else panel.values[index][:, :, columns]


def series_scales(panel: Panel, origin: np.ndarray, m: int) -> np.ndarray:
    """Each series' seasonal MASE scale over its rows before ``origin``."""
    return np.array([seasonal_scale(panel.series(s)[: origin[s], 0], m) for s in range(len(panel))])


def naive2_forecasts(panel: Panel, origin: np.ndarray, m: int, horizon: int) -> np.ndarray:
    """M4's Naive2 forecasts (S, H) of the target from each series' history before ``origin``."""
    shape = Shape(
        lookback=1, horizon=horizon, input_size=1, output_size=1, target_index=(0,), season_length=m
    )
    return history_forecasts(Naive2(shape), panel, origin, horizon, columns=1)
