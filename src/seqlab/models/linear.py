"""DLinear: a moving-average decomposition and one linear map per component.

.. [1] Zeng, Chen, Zhang & Xu (2023). Are Transformers Effective for Time Series Forecasting?
       AAAI. arXiv:2205.13504.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.models.shape import Shape, need_future

__all__ = ["DLinear"]


class DLinear(nn.Module):
    r"""trend = MovingAvg_k(x), seasonal = x - trend, ŷ = W_s·seasonal + W_t·trend ([1], sec. 4).

    The two maps act along time (L → H) and are shared by every channel, as in [1]. When the
    outputs are fewer than the inputs (several features, one target), a last linear map mixes
    the C_in channel forecasts into C_out. The moving average pads both ends by repeating the
    edge values, as [1]'s code does; k = 25 is [1]'s default.

    Future covariates (``shape.future_size`` F > 0), a per-step input, linear like the rest:
    one more map along time (H → H, shared by the F covariates, as the two maps are shared by
    the channels; it starts as the identity, each step's covariates acting on that step) and a
    mix of the F results into C_out, added to the forecast.

    Example:
        >>> shape = Shape(lookback=96, horizon=24, input_size=7, output_size=7,
        ...               target_index=tuple(range(7)))
        >>> DLinear(shape)(torch.randn(8, 96, 7)).shape  # doctest: +SKIP
        torch.Size([8, 24, 7])
    """

    trainable = True

    def __init__(self, shape: Shape, kernel_size: int = 25) -> None:
        super().__init__()
        self.shape = shape
        self.kernel_size = kernel_size if kernel_size % 2 else kernel_size + 1  # odd: centred
        self.seasonal = nn.Linear(shape.lookback, shape.horizon)
        self.trend = nn.Linear(shape.lookback, shape.horizon)
        mixes = shape.output_size != shape.input_size
        self.mix = nn.Linear(shape.input_size, shape.output_size) if mixes else nn.Identity()
        if shape.future_size:
            self.future = nn.Linear(shape.horizon, shape.horizon)
            with torch.no_grad():  # starts as "step h's covariates act on step h"
                self.future.weight.copy_(torch.eye(shape.horizon))
                self.future.bias.zero_()
            self.future_mix = nn.Linear(shape.future_size, shape.output_size)

    def _moving_average(self, x: Tensor) -> Tensor:  # (N, C, L) -> (N, C, L)
        half = (self.kernel_size - 1) // 2
        padded = torch.cat(
            [x[..., :1].expand(-1, -1, half), x, x[..., -1:].expand(-1, -1, half)], -1
        )
        return nn.functional.avg_pool1d(padded, self.kernel_size, stride=1)

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        x = x.transpose(1, 2)  # (N, C_in, L)
        trend = self._moving_average(x)
        y = self.seasonal(x - trend) + self.trend(trend)  # (N, C_in, H)
        y = self.mix(y.transpose(1, 2))  # (N, H, C_out)
        if not self.shape.future_size:
            return y
        known = need_future(self.shape, future, "dlinear").transpose(1, 2)  # (N, F, H)
        return y + self.future_mix(self.future(known).transpose(1, 2))
