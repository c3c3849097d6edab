"""The naive baselines every leaderboard must beat. Nothing to train; they read the window.

.. [1] Hyndman & Athanasopoulos (2021). Forecasting: Principles and Practice, 3rd ed.,
       section 5.2 "Some simple forecasting methods". OTexts. https://otexts.com/fpp3/

All four are equivariant under a per-column affine map, so computing them on scaled windows
and inverting the scaling gives exactly the forecasts in the data's own units.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError
from seqlab.models.shape import Shape

__all__ = ["Drift", "Mean", "Naive", "SeasonalNaive"]


class _Baseline(nn.Module):
    trainable = False

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = shape

    def _targets(self, x: Tensor) -> Tensor:
        return x[:, :, list(self.shape.target_index)]  # (N, L, C_out)


class Naive(_Baseline):
    """ŷ_{T+h} = y_T: tomorrow = today, for every step (the random-walk forecast)."""

    def forward(self, x: Tensor) -> Tensor:
        return self._targets(x)[:, -1:].expand(-1, self.shape.horizon, -1)


class SeasonalNaive(_Baseline):
    """ŷ_{T+h} = y_{T+h-m(k+1)}, k = ⌊(h-1)/m⌋: the value one season back (m = season length)."""

    def __init__(self, shape: Shape) -> None:
        super().__init__(shape)
        m = shape.season_length
        if m > shape.lookback:
            raise ConfigError(
                f"lookback of SeasonalNaive must be at least its season length {m}; got "
                f"{shape.lookback}. Raise lookback or set season_length."
            )
        steps = torch.arange(shape.horizon)
        self.positions = (shape.lookback - m + steps % m).tolist()  # window rows to copy

    def forward(self, x: Tensor) -> Tensor:
        return self._targets(x)[:, self.positions]


class Drift(_Baseline):
    """ŷ_{T+h} = y_T + h (y_T - y_1) / (L - 1): the line through the window's first and last."""

    def forward(self, x: Tensor) -> Tensor:
        y = self._targets(x)
        slope = (y[:, -1] - y[:, 0]) / max(self.shape.lookback - 1, 1)  # (N, C_out)
        h = torch.arange(1, self.shape.horizon + 1, dtype=x.dtype, device=x.device)
        return y[:, -1:] + h[None, :, None] * slope[:, None, :]


class Mean(_Baseline):
    """ŷ_{T+h} = mean of the window, for every step."""

    def forward(self, x: Tensor) -> Tensor:
        return self._targets(x).mean(dim=1, keepdim=True).expand(-1, self.shape.horizon, -1)
