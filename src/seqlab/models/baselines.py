"""The naive baselines every leaderboard must beat. Nothing to train; they read the window.

.. [1] Hyndman & Athanasopoulos (2021). Forecasting: Principles and Practice, 3rd ed.,
       section 5.2 "Some simple forecasting methods". OTexts. https://otexts.com/fpp3/
.. [2] Makridakis, Spiliotis & Assimakopoulos (2020). The M4 Competition: 100,000 time series
       and 61 forecasting methods. International Journal of Forecasting 36(1). Naive2 as in
       the organisers' ``Benchmarks and Evaluation.R`` (Mcompetitions/M4-methods).

Naive, seasonal naive, drift and mean are equivariant under a per-column affine map, so
computing them on scaled windows and inverting the scaling gives exactly the forecasts in the
data's own units; Naive2 is equivariant under scaling (its seasonal indices are ratios), and
a Forecaster feeds every baseline the data's own numbers anyway. Future covariates, when
given, are not read: a baseline forecasts from the target's past alone.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError
from seqlab.models.shape import Shape

__all__ = ["Drift", "Mean", "Naive", "Naive2", "SeasonalNaive", "seasonal_indices"]


class _Baseline(nn.Module):
    trainable = False

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = shape

    def _targets(self, x: Tensor) -> Tensor:
        return x[:, :, list(self.shape.target_index)]  # (N, L, C_out)


class Naive(_Baseline):
    """ŷ_{T+h} = y_T: tomorrow = today, for every step (the random-walk forecast)."""

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        return self._targets(x)[:, -1:].expand(-1, self.shape.horizon, -1)


class SeasonalNaive(_Baseline):
    """ŷ_{T+h} = y_{T+h-m(k+1)}, k = ⌊(h-1)/m⌋: the value one season back (m = season length)."""

    def __init__(self, shape: Shape) -> None:
        super().__init__(shape)
        m = shape.season_length
        if m > shape.lookback:
            raise ConfigError(
                f"lookback of SeasonalNaive must be at least its season length {m}; got "
                f"{shape.lookback}. Raise lookback or set season_length.",
                param="lookback",
            )
        self.steps = (torch.arange(shape.horizon) % m).tolist()

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        m = self.shape.season_length
        if x.shape[1] < m:
            raise ConfigError(
                f"history of SeasonalNaive must be at least its season length {m}; got "
                f"{x.shape[1]} rows. Pass more rows or set season_length.",
                param="history",
            )
        positions = [x.shape[1] - m + k for k in self.steps]  # window rows to copy
        return self._targets(x)[:, positions]


class Drift(_Baseline):
    """ŷ_{T+h} = y_T + h (y_T - y_1) / (L - 1): the line through the window's first and last
    (over a series' whole history on long data, as in [1])."""

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        y = self._targets(x)
        slope = (y[:, -1] - y[:, 0]) / max(x.shape[1] - 1, 1)  # (N, C_out)
        h = torch.arange(1, self.shape.horizon + 1, dtype=x.dtype, device=x.device)
        return y[:, -1:] + h[None, :, None] * slope[:, None, :]


class Mean(_Baseline):
    """ŷ_{T+h} = mean of the window, for every step."""

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        return self._targets(x).mean(dim=1, keepdim=True).expand(-1, self.shape.horizon, -1)


def seasonal_indices(x: Tensor, m: int) -> Tensor:
    """Multiplicative seasonal indices (N, L) of series x (N, L), as R's ``decompose``: a
    centred moving average of order m (2×m when m is even) as the trend, the mean ratio to it
    at each position of the cycle, normalised to mean 1, laid back over the L rows; 1 where
    M4's 90 % autocorrelation test at lag m finds no seasonality ([2]).

    The test: the series has at least 3m rows, R's default ``acf`` reaches lag m
    (⌊10·log10 L⌋ ≥ m), and |r_m| > 1.645·sqrt((1 + 2·Σ_{k<m} r_k²) / L).
    """
    n, length = x.shape
    ones = torch.ones_like(x)
    if m <= 1 or length < 3 * m or int(10 * math.log10(length)) < m:
        return ones
    centred = x - x.mean(dim=1, keepdim=True)
    denom = (centred**2).sum(dim=1)
    r = torch.stack(
        [(centred[:, :-k] * centred[:, k:]).sum(dim=1) / denom for k in range(1, m + 1)], 1
    )
    limit = 1.645 * torch.sqrt((1 + 2 * (r[:, : m - 1] ** 2).sum(dim=1)) / length)
    seasonal = r[:, m - 1].abs() > limit  # (N,)
    if m % 2 == 0:
        weights = torch.cat([torch.tensor([0.5]), torch.ones(m - 1), torch.tensor([0.5])]) / m
    else:
        weights = torch.ones(m) / m
    weights = weights.to(x)
    half = len(weights) // 2
    trend = torch.nn.functional.conv1d(x[:, None], weights.flip(0)[None, None])[:, 0]
    ratio = x[:, half : length - half] / trend  # rows half .. L-half-1
    position = torch.arange(half, length - half, device=x.device) % m
    sums = torch.zeros(n, m, dtype=x.dtype, device=x.device).index_add_(1, position, ratio)
    counts = torch.bincount(position, minlength=m).to(x)
    figure = sums / counts
    figure = figure / figure.mean(dim=1, keepdim=True)
    index = figure[:, torch.arange(length, device=x.device) % m]
    return torch.where(seasonal[:, None], index, ones)


class Naive2(_Baseline):
    """M4's Naive2 ([2]): naive on the seasonally adjusted series, re-seasonalised. Where
    M4's seasonality test at lag m (the season length) passes, divide by the classical
    multiplicative seasonal indices (:func:`seasonal_indices`), repeat the last adjusted value
    and multiply by the indices of the last season; elsewhere, plain naive. It reads its whole
    window, so the indices come from all L rows (a Forecaster on long data passes each
    series' whole history, as M4 did)."""

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        y = self._targets(x)  # (N, L, C_out)
        n, length, c = y.shape
        m, horizon = self.shape.season_length, self.shape.horizon
        flat = y.transpose(1, 2).reshape(n * c, length)
        index = seasonal_indices(flat, m)
        last = (flat[:, -1] / index[:, -1])[:, None]
        if m <= 1:
            out = last.expand(-1, horizon)
        else:
            steps = length - m + torch.arange(horizon, device=x.device) % m
            out = last * index[:, steps]
        return out.reshape(n, c, horizon).transpose(1, 2)
