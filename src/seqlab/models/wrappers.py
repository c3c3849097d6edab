"""Wrappers that any forecasting model of the zoo can wear: reversible instance
normalisation and channel independence.

.. [1] Kim et al. (2022). Reversible Instance Normalization for Accurate Time-Series
       Forecasting against Distribution Shift. ICLR.
.. [2] Nie et al. (2023). A Time Series is Worth 64 Words: Long-term Forecasting with
       Transformers. ICLR. arXiv:2211.14730.
.. [3] Chernozhukov, Fernández-Val & Galichon (2010). Quantile and Probability Curves Without
       Crossing. Econometrica 78(3). (Sorting estimated quantiles never makes them worse.)
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.models.shape import Shape
from seqlab.nn import RevIN

__all__ = [
    "ChannelIndependent",
    "QuantileHead",
    "SeriesEmbedding",
    "WithRevIN",
    "pinball_loss",
]


class WithRevIN(nn.Module):
    """Normalise each window by its own mean and spread ([1], :class:`seqlab.nn.RevIN`), run
    the model, and map its output back to the targets' level and scale.

    Example:
        >>> shape = Shape(lookback=8, horizon=2, input_size=1, output_size=1, target_index=(0,))
        >>> WithRevIN(nn.Linear(1, 1), shape).revin.weight.shape
        torch.Size([1])
    """

    def __init__(self, model: nn.Module, shape: Shape) -> None:
        super().__init__()
        self.model = model
        self.revin = RevIN(shape.input_size)
        self.target_index = list(shape.target_index)

    def forward(self, x: Tensor, *extra: Tensor) -> Tensor:
        x_hat, (mu, sigma) = self.revin(x)
        y_hat = self.model(x_hat, *extra)  # (N, H, C_out), or (N, H, Q) for one target
        i = self.target_index
        y = (y_hat - self.revin.bias[i]) / (self.revin.weight[i] + self.revin.eps**2)
        return y * sigma[..., i] + mu[..., i]


class ChannelIndependent(nn.Module):
    """Run a univariate model on every channel separately, with shared weights.

    (N, L, C) → (N·C, L, 1) → model → (N·C, H, 1) → (N, H, C), then the target channels. The
    idea of [2] applied to any model of the zoo: channels become more training examples
    instead of more input features. Future covariates (N, H, F), when given, go with each
    channel's window.
    """

    def __init__(self, model: nn.Module, shape: Shape) -> None:
        super().__init__()
        self.model = model
        self.target_index = list(shape.target_index)

    def forward(self, x: Tensor, *future: Tensor) -> Tensor:
        n, length, c = x.shape
        known = [f.repeat_interleave(c, dim=0) for f in future]  # (N·C, H, F)
        y = self.model(x.transpose(1, 2).reshape(n * c, length, 1), *known)  # (N·C, H, 1)
        y = y.reshape(n, c, -1).transpose(1, 2)  # (N, H, C)
        return y[:, :, self.target_index]


class SeriesEmbedding(nn.Module):
    """A learned vector per series, appended to every row of its window: (x (N, L, C),
    series (N,)[, future]) → model((N, L, C + dim)[, future]). One global model can then tell
    series apart."""

    def __init__(self, model: nn.Module, n_series: int, dim: int) -> None:
        super().__init__()
        self.model = model
        self.embedding = nn.Embedding(n_series, dim)

    def forward(self, x: Tensor, series: Tensor, *future: Tensor) -> Tensor:
        e = self.embedding(series)[:, None, :].expand(-1, x.shape[1], -1)
        return self.model(torch.cat([x, e.to(x.dtype)], dim=-1), *future)


class QuantileHead(nn.Module):
    """A model with one output per quantile (N, H, Q) of one target, sorted along Q so that
    the quantiles never cross ([3]); trained with the pinball loss of ``quantiles``."""

    def __init__(self, model: nn.Module, quantiles: tuple[float, ...]) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("quantiles", torch.tensor(quantiles), persistent=False)

    def forward(self, x: Tensor, *extra: Tensor) -> Tensor:
        return self.model(x, *extra).sort(dim=-1).values


def pinball_loss(output: Tensor, target: Tensor, quantiles: Tensor) -> Tensor:
    """Mean pinball loss of quantile forecasts (N, H, Q) against targets (N, H, 1)."""
    d = target - output
    q = quantiles.to(output)
    return torch.maximum(q * d, (q - 1) * d).mean()
