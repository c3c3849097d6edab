"""The Forecaster on long data: one global model over many series.

A long frame (id, time, target [, features]) becomes a :class:`~seqlab.data.panel.Panel`:
all series in one flat array. Each series is scaled on its own training rows, windows are
(series, start) pairs over that array (never materialised, never across two series), and
the split is M4's: per series, the last H rows test, the H before them validation. The
baselines read each series' whole history up to the forecast origin, as M4's did.

Intervals come two ways. Split-conformal (:mod:`seqlab.tasks.intervals`): the validation
window of every series gives absolute errors, each divided by its series' seasonal MASE
scale so that series of any size pool; the band at level l is the point forecast ± the
conformal bound of those errors (per step) × the series' scale. A quantile head
(``loss="pinball"``) learns the quantiles of ``levels`` directly.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from seqlab.data.panel import ID, TARGET, Panel, PanelSplit, PanelWindowSet, calendar_features
from seqlab.data.scaler import Scaler
from seqlab.data.windows import Windows
from seqlab.errors import ConfigError, DataError
from seqlab.metrics import seasonal_scale
from seqlab.models import BASELINES, Shape
from seqlab.models.baselines import Naive2
from seqlab.models.wrappers import pinball_loss
from seqlab.tasks.intervals import (
    PanelEvaluation,
    conformal_quantile,
    level_quantiles,
    panel_scores,
)

__all__ = ["PanelForecasting"]


class PanelForecasting:
    """The long-data half of :class:`~seqlab.tasks.forecast.Forecaster` (mixed into it)."""

    # Set by the Forecaster.
    id_col: str | None
    time_col: str
    target: Any
    features: list[str] | None
    missing: str
    lookback: int
    horizon: int
    season_length: int | None
    scaler: str
    series_embedding: int
    calendar: bool
    levels: tuple[int, ...] | list[int]
    loss: str
    device_: torch.device
    model_: Any
    # What fit learns; on one series ids_ is None and the scaler, split and MASE scale are
    # set instead (see Forecaster._fit_data).
    ids_: Any
    freq_: Any
    split_: Any
    scaler_: Any
    mase_scale_: Any
    residuals_: Any

    def _loss_fn(self) -> Any:
        from seqlab.tasks.forecast_checks import LOSSES

        if self.loss != "pinball":
            return LOSSES[self.loss]
        quantiles = torch.tensor(self.quantiles_)
        return lambda output, target: pinball_loss(output, target, quantiles)

    def _is_long(self, df: Any) -> bool:
        return self.id_col is not None or (isinstance(df, pd.DataFrame) and ID in df.columns)

    def _read_panel(self, df: pd.DataFrame) -> Panel:
        target = TARGET if self.target is None else self.target
        if not isinstance(target, str):
            raise ConfigError(
                f"target of Forecaster must be one column on long data; got {target!r}. Give "
                "the one column to forecast; other columns go in features."
            )
        return Panel.from_long(
            df, self.id_col or ID, self.time_col, target, self.features, self.missing
        )

    def _min_rows(self) -> tuple[int, str]:
        rows = self.lookback + 3 * self.horizon
        return rows, f"lookback {self.lookback} + 3 x horizon {self.horizon}"

    def _panel_setup(self, panel: Panel) -> None:
        """What fit learns of the panel besides the weights: ids, columns, scalers."""
        from seqlab.tasks.forecast_checks import SEASONS

        self.ids_ = [str(i) for i in panel.ids]
        self.freq_ = panel.freq
        self.calendar_ = calendar_features(panel)[1] if self.calendar else []
        self.targets_ = panel.targets
        self.columns_ = panel.columns + self.calendar_
        season = self.season_length or SEASONS.get(panel.freq or "", 1)
        baseline = self.model in BASELINES  # type: ignore[attr-defined]
        self.shape_ = Shape(  # a baseline reads each series' whole history, not a window
            lookback=max(self.lookback, season) if baseline else self.lookback,
            horizon=self.horizon,
            input_size=len(self.columns_),
            output_size=1,
            target_index=(0,),
            season_length=season,
        )
        self.quantiles_ = level_quantiles(self.levels) if self.loss == "pinball" else ()
        train_end = PanelSplit(panel.lengths, self.horizon).train_end
        self.series_center_, self.series_scale_ = self._series_scalers(panel, train_end)

    def _series_scalers(self, panel: Panel, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per series (S, C) centre and scale of a :class:`Scaler` fitted on its rows before
        ``ends``."""
        c = len(panel.columns)
        center, scale = np.zeros((len(panel), c)), np.ones((len(panel), c))
        for s in range(len(panel)):
            fitted = Scaler(self.scaler).fit(panel.series(s)[: ends[s]])
            center[s], scale[s] = fitted.center, fitted.scale
        return center, scale

    def _fitted_rows(self, panel: Panel) -> np.ndarray:
        """Each panel series' index among the series of fit; -1 for a series new to it."""
        known = {name: k for k, name in enumerate(self.ids_)}
        return np.array([known.get(str(i), -1) for i in panel.ids])

    def _scalers_for(self, panel: Panel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(S, C) centre and scale of each panel series: the fitted ones by ``rows`` (the
        index of each series in fit), fitted on its own rows for a series new to the model."""
        center, scale = self.series_center_[rows], self.series_scale_[rows]
        new = np.flatnonzero(rows < 0)
        if len(new):
            own = self._series_scalers(panel, panel.lengths)
            center[new], scale[new] = own[0][new], own[1][new]
        return center, scale

    def _scaled_panel(self, panel: Panel, center: np.ndarray, scale: np.ndarray) -> Tensor:
        """The model's input (T, C + calendar) as float32, each series scaled by its row of
        ``center`` and ``scale``; the calendar columns as they are."""
        out = np.empty((len(panel.values), len(self.columns_)), dtype=np.float32)
        c = len(panel.columns)
        for s in range(len(panel)):
            part = slice(panel.offsets[s], panel.offsets[s + 1])
            out[part, :c] = (panel.series(s) - center[s]) / scale[s]
        if self.calendar_:
            out[:, c:] = calendar_features(panel)[0]
        return torch.from_numpy(out).to(self.device_)

    def _fit_panel(self, df: pd.DataFrame, checkpoint: Any = None, resume: Any = None) -> None:
        from seqlab.train import Trainer, resolve_device

        self._check_params()  # type: ignore[attr-defined]
        if self.strategy != "direct":  # type: ignore[attr-defined]
            raise ConfigError(
                f"strategy of Forecaster must be 'direct' on long data; got "
                f"{self.strategy!r}. Drop strategy='recursive'."  # type: ignore[attr-defined]
            )
        start = time.perf_counter()
        panel = self._read_panel(df).drop_short(*self._min_rows())
        self.device_ = resolve_device(self.device)  # type: ignore[attr-defined]
        self._panel_setup(panel)
        self.model_ = self._build(len(panel)).to(self.device_)  # type: ignore[attr-defined]
        self.history_ = pd.DataFrame(columns=["epoch", "train_loss", "val_loss", "lr", "seconds"])
        self.best_epoch_, self.data_seconds_ = 0, time.perf_counter() - start
        split = PanelSplit(panel.lengths, self.horizon)
        if self._trainable():  # type: ignore[attr-defined]
            data = self._scaled_panel(panel, self.series_center_, self.series_scale_)
            windows = Windows(data, [0], self.lookback, self.horizon)
            embed = self.series_embedding > 0
            train = PanelWindowSet.of(windows, panel.offsets, split, "train", embed)
            val = PanelWindowSet.of(windows, panel.offsets, split, "val", embed)
            self.data_seconds_ = time.perf_counter() - start
            trainer = Trainer(self._training_config(), loss=self._loss_fn())  # type: ignore[attr-defined]
            result = trainer.fit(
                self.model_, train, val, self.model,  # type: ignore[attr-defined]
                checkpoint=checkpoint, resume=resume,
            )  # fmt: skip
            self.history_ = pd.DataFrame(result.history)
            self.best_epoch_ = result.best_epoch
        self.model_.eval()
        # Split-conformal calibration on every series' validation window.
        point, _ = self._panel_forecast(panel, split.train_end, np.arange(len(panel)))
        truth = _rows(panel, split.train_end, self.horizon)
        scale = _scales(panel, split.train_end, self.shape_.season_length)
        self.residuals_ = np.sort(np.abs(truth - point) / scale[:, None], axis=0)
        self.fit_seconds_ = time.perf_counter() - start
        self.n_params_ = sum(p.numel() for p in self.model_.parameters() if p.requires_grad)
        self.split_ = None
        self.scaler_ = None
        self.mase_scale_ = None

    @torch.no_grad()
    def _panel_forecast(
        self, panel: Panel, origin: np.ndarray, rows: np.ndarray, chunk: int = 4096
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Point forecasts (S, H) from each series' rows before ``origin`` (S,), and with a
        quantile head its quantiles (S, H, Q), in the data's own units."""
        self.model_.eval()
        horizon = self.horizon
        if not self._trainable():  # type: ignore[attr-defined]
            out = np.empty((len(panel), horizon))
            for s in range(len(panel)):
                history = torch.tensor(panel.series(s)[: origin[s]], device=self.device_)
                out[s] = self.model_(history[None])[0, :, 0].cpu().numpy()
            return out, None
        center, scale = self._scalers_for(panel, rows)
        inputs = self._scaled_panel(panel, center, scale).unfold(0, self.lookback, 1)
        starts = torch.as_tensor(panel.offsets[:-1] + origin - self.lookback)
        series = torch.as_tensor(np.maximum(rows, 0))
        outputs = []
        for b in range(0, len(starts), chunk):
            x = inputs[starts[b : b + chunk].to(self.device_)].transpose(1, 2)  # (N, L, C)
            extra = (series[b : b + chunk].to(self.device_),) if self.series_embedding else ()
            outputs.append(self.model_(x, *extra).double().cpu())
        y = torch.cat(outputs).numpy()  # (S, H, 1) or (S, H, Q), scaled
        y = y * scale[:, None, :1] + center[:, None, :1]
        if not self.quantiles_:
            return y[:, :, 0], None
        return y[:, :, self.quantiles_.index(0.5)], y

    def _bands(
        self, point: np.ndarray, quantiles: np.ndarray | None, scale: np.ndarray, levels
    ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """{level: (lo, hi)} (S, H) around ``point``: the quantile head's, else conformal."""
        bands = {}
        for level in levels:
            if quantiles is not None:
                lo_q = round((100 - level) / 200, 6)
                if lo_q not in self.quantiles_:
                    raise ConfigError(
                        f"levels of Forecaster.predict must be among the levels the quantile "
                        f"head learned ({', '.join(map(str, self.levels))}); got {level}. "
                        "Pass levels=[...] to the Forecaster before fit."
                    )
                lo = quantiles[:, :, self.quantiles_.index(lo_q)]
                hi = quantiles[:, :, self.quantiles_.index(round(1 - lo_q, 6))]
            else:
                half = conformal_quantile(self.residuals_, level)[None, :] * scale[:, None]
                lo, hi = point - half, point + half
            bands[int(level)] = (lo, hi)
        return bands

    def _predict_panel(self, df: pd.DataFrame, levels) -> pd.DataFrame:
        panel = self._read_panel(df)
        if self._trainable():  # type: ignore[attr-defined]
            panel = panel.drop_short(self.lookback, f"lookback {self.lookback}")
        else:
            m = max(self.shape_.season_length, 2)
            panel = panel.drop_short(m, f"season length {self.shape_.season_length}")
        rows = self._fitted_rows(panel)
        if self.series_embedding and (rows < 0).any():
            raise DataError(
                f"{self.id_col or ID} of the data must only name series seen in fit when the "
                f"model has series_embedding; got {panel.ids[rows < 0][0]!r}, which is new. "
                "Refit with it, or use series_embedding=0."
            )
        origin = panel.lengths
        point, quantiles = self._panel_forecast(panel, origin, rows)
        scale = _scales(panel, origin, self.shape_.season_length)
        bands = self._bands(point, quantiles, scale, levels or [])
        h = self.horizon
        frame = {
            self.id_col or ID: np.repeat(panel.ids, h),
            self.time_col: np.concatenate(
                [panel.times(s, int(origin[s]), h) for s in range(len(panel))]
            ),
            self.model: point.ravel(),  # type: ignore[attr-defined]
        }
        for level, (lo, hi) in bands.items():
            frame[f"{self.model}-lo-{level}"] = lo.ravel()  # type: ignore[attr-defined]
            frame[f"{self.model}-hi-{level}"] = hi.ravel()  # type: ignore[attr-defined]
        return pd.DataFrame(frame)

    def _evaluate_panel(self, df: pd.DataFrame, levels) -> PanelEvaluation:
        panel = self._read_panel(df).drop_short(*self._min_rows())
        rows = self._fitted_rows(panel)
        if (rows < 0).any():
            raise DataError(
                f"data of Forecaster.evaluate must hold the series of fit; got "
                f"{panel.ids[rows < 0][0]!r}, which is new. Evaluate on the data of fit."
            )
        split = PanelSplit(panel.lengths, self.horizon)
        origin, m = split.val_end, self.shape_.season_length
        point, quantiles = self._panel_forecast(panel, origin, rows)
        truth = _rows(panel, origin, self.horizon)
        scale = _scales(panel, origin, m)
        bands = self._bands(point, quantiles, scale, levels)
        naive2 = _naive2(panel, origin, m, self.horizon)
        metrics, per_series = panel_scores(truth, point, naive2, scale, bands)
        per_series.index = pd.Index(panel.ids, name=self.id_col or ID)
        dates = [panel.times(s, int(origin[s]), 1)[0] for s in range(len(panel))]
        ids = [str(i) for i in panel.ids]
        return PanelEvaluation(metrics, per_series, truth, point, bands, ids, dates)


def _rows(panel: Panel, origin: np.ndarray, horizon: int) -> np.ndarray:
    """The target's rows origin .. origin+H of every series, (S, H)."""
    index = panel.offsets[:-1, None] + origin[:, None] + np.arange(horizon)
    return panel.values[index, 0]


def _scales(panel: Panel, origin: np.ndarray, m: int) -> np.ndarray:
    """Each series' seasonal MASE scale over its rows before ``origin``."""
    return np.array([seasonal_scale(panel.series(s)[: origin[s], 0], m) for s in range(len(panel))])


def _naive2(panel: Panel, origin: np.ndarray, m: int, horizon: int) -> np.ndarray:
    shape = Shape(lookback=1, horizon=horizon, input_size=1, output_size=1, target_index=(0,),
                  season_length=m)  # fmt: skip
    model = Naive2(shape)
    out = np.empty((len(panel), horizon))
    for s in range(len(panel)):
        history = torch.tensor(panel.series(s)[: origin[s], :1])
        out[s] = model(history[None])[0, :, 0].numpy()
    return out
