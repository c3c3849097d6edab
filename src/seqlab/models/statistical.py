"""The statistical models a forecaster compares a network with, from statsforecast ([1]):
AutoETS, AutoARIMA, AutoTheta and MSTL, as rows of any leaderboard (``--baselines
naive,ets,arima,theta``). They need the ``stats`` extra (``pip install 'seqlab[stats]'``).

Each is a model of the zoo with no weights to train: ``forward`` estimates the model afresh
on every window it is given (each series' whole history, on long data: the M4 protocol), in
the data's own units, one target at a time. On one series a Forecaster estimates it once, on
the training rows (:meth:`Statistical.fit_series`), and forecasts each test origin from the
whole history before it with those parameters (:meth:`Statistical.forecast_from`: the states
re-filtered, nothing re-estimated), as a network keeps its weights; its final forecast
(``predict``) estimates it on every row given. Future covariates are not read.

- ``ets``: AutoETS, the exponential-smoothing state-space model (error, trend, season each
  none, additive or multiplicative) of least AICc, as R's ``forecast::ets``.
- ``arima``: AutoARIMA, Hyndman–Khandakar's stepwise search of seasonal ARIMA orders.
- ``theta``: AutoTheta, the best of the standard, optimised and dynamic Theta models, on the
  seasonally adjusted series where a seasonality test finds a season.
- ``mstl``: MSTL, a decomposition with several seasons (hourly data: the day and the week),
  the seasonally adjusted part forecast by AutoETS without a season, the seasons repeated.

The season length is the Forecaster's (24 hourly, 7 daily, 52 weekly, ...); ETS reads a season
of at most 24 (R's limit), and a season longer than half a series is dropped for that series.

.. [1] Garza, Mergenthaler Canseco, Challú & Olivares (2022). StatsForecast: lightning fast
       forecasting with statistical and econometric models. PyCon Salt Lake City.
       https://github.com/Nixtla/statsforecast
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError
from seqlab.models.shape import Shape

__all__ = ["KINDS", "Statistical"]

KINDS = ("ets", "arima", "theta", "mstl")


def _statsforecast_models() -> Any:
    try:
        from statsforecast import models
    except ImportError as err:
        raise ConfigError(
            "the statistical models (ets, arima, theta, mstl) need the statsforecast package; "
            "got it missing. Install it with pip install 'seqlab[stats]'.",
            param="model",
        ) from err
    return models


class Statistical(nn.Module):
    """One of statsforecast's models (``kind``: ets, arima, theta or mstl) behind the zoo's
    interface; see the module's docstring."""

    trainable = False

    def __init__(self, shape: Shape, kind: str = "ets") -> None:
        super().__init__()
        if kind not in KINDS:
            raise ConfigError(
                f"kind of the statistical model must be one of {', '.join(KINDS)}; got "
                f"{kind!r}. Pick one of them.",
                param="model",
            )
        self.shape = shape
        self.kind = kind
        self.fitted: list[Any] | None = None  # one estimated model per target, set by fit_series
        _statsforecast_models()  # a missing extra is said when the model is built

    def spec(self, length: int) -> Any:
        """A fresh, unfitted statsforecast model for a series of ``length`` rows."""
        models = _statsforecast_models()
        m = self.shape.season_length
        # a season needs two whole cycles in the series
        seasons = [s for s in ((m, 7 * m) if m == 24 else (m,)) if 1 < s <= length // 2]
        if self.kind == "ets":
            return models.AutoETS(season_length=seasons[0] if seasons and m <= 24 else 1)
        if self.kind == "arima":
            return models.AutoARIMA(season_length=seasons[0] if seasons else 1)
        if self.kind == "theta":
            return models.AutoTheta(season_length=seasons[0] if seasons else 1)
        if not seasons:  # nothing to decompose: the trend model alone
            return models.AutoETS(model="ZZN")
        return models.MSTL(season_length=seasons, trend_forecaster=models.AutoETS(model="ZZN"))

    def _targets(self, x: Tensor | np.ndarray) -> np.ndarray:
        values = x.detach().double().cpu().numpy() if isinstance(x, Tensor) else x
        return np.asarray(values, dtype=np.float64)[..., list(self.shape.target_index)]

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        """Forecasts (N, H, C_out) of windows x (N, L, C) in the data's units, each target of
        each window estimated afresh on the window."""
        y = self._targets(x)
        horizon = self.shape.horizon
        out = np.empty((y.shape[0], horizon, y.shape[2]))
        for n in range(y.shape[0]):
            for c in range(y.shape[2]):
                series = y[n, :, c]
                out[n, :, c] = self.spec(len(series)).forecast(y=series, h=horizon)["mean"]
        return torch.tensor(out, dtype=x.dtype, device=x.device)

    def fit_series(self, values: np.ndarray) -> Statistical:
        """Estimate one model per target on ``values`` (T, C) of one series (the training
        rows); :meth:`forecast_from` then forecasts with these parameters."""
        y = self._targets(values)
        self.fitted = [self.spec(len(y)).fit(y[:, c]) for c in range(y.shape[1])]
        return self

    def forecast_from(self, values: np.ndarray, origins: np.ndarray) -> np.ndarray:
        """Forecasts (N, H, C_out) from the rows of ``values`` (T, C) before each of
        ``origins`` (N,), with the parameters of :meth:`fit_series`: the model's states run
        over the history, nothing re-estimated."""
        assert self.fitted is not None, "fit_series comes first"
        y = self._targets(values)
        horizon = self.shape.horizon
        out = np.empty((len(origins), horizon, y.shape[1]))
        for n, origin in enumerate(np.asarray(origins)):
            for c, model in enumerate(self.fitted):
                out[n, :, c] = model.forward(y=y[: int(origin), c], h=horizon)["mean"]
        return out
