"""Wrappers that any forecasting model of the zoo can wear: reversible instance
normalisation and channel independence.

.. [1] Kim et al. (2022). Reversible Instance Normalization for Accurate Time-Series
       Forecasting against Distribution Shift. ICLR.
.. [2] Nie et al. (2023). A Time Series is Worth 64 Words: Long-term Forecasting with
       Transformers. ICLR. arXiv:2211.14730.
"""

from __future__ import annotations

from torch import Tensor, nn

from seqlab.models.shape import Shape
from seqlab.nn import RevIN

__all__ = ["ChannelIndependent", "WithRevIN"]


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

    def forward(self, x: Tensor) -> Tensor:
        x_hat, (mu, sigma) = self.revin(x)
        y_hat = self.model(x_hat)  # (N, H, C_out)
        i = self.target_index
        y = (y_hat - self.revin.bias[i]) / (self.revin.weight[i] + self.revin.eps**2)
        return y * sigma[..., i] + mu[..., i]


class ChannelIndependent(nn.Module):
    """Run a univariate model on every channel separately, with shared weights.

    (N, L, C) → (N·C, L, 1) → model → (N·C, H, 1) → (N, H, C), then the target channels. The
    idea of [2] applied to any model of the zoo: channels become more training examples
    instead of more input features.
    """

    def __init__(self, model: nn.Module, shape: Shape) -> None:
        super().__init__()
        self.model = model
        self.target_index = list(shape.target_index)

    def forward(self, x: Tensor) -> Tensor:
        n, length, c = x.shape
        y = self.model(x.transpose(1, 2).reshape(n * c, length, 1))  # (N·C, H, 1)
        y = y.reshape(n, c, -1).transpose(1, 2)  # (N, H, C)
        return y[:, :, self.target_index]
