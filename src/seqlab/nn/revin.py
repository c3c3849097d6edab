r"""Reversible instance normalisation.

.. [1] Kim et al. (2022). Reversible Instance Normalization for Accurate Time-Series
       Forecasting against Distribution Shift. ICLR. https://openreview.net/forum?id=cGDAkQo1C0p

A forecaster sees windows whose level and scale drift over time. RevIN removes each window's
own mean and standard deviation (per channel) before the model, and puts them back on the
model's output, so the model learns shapes and the statistics travel around it.

where:
    N  batch size
    L  lookback (input length)
    H  horizon (output length)
    C  channels
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.errors import ShapeError, check, positive_int

__all__ = ["RevIN"]


class RevIN(nn.Module):
    r"""Normalise each (window, channel) by its own statistics; invert on the output.

    .. math::
        \hat{x} = \gamma \odot \frac{x - \mu}{\sigma} + \beta, \qquad
        y = \frac{\hat{y} - \beta}{\gamma} \odot \sigma + \mu

    with μ and σ = sqrt(Var(x) + ε) taken over the L steps of each window and channel, and γ, β
    learned per channel when ``affine=True``. The statistics are detached, as in [1]'s code.

    ``forward(x)`` takes (N, L, C) and returns ``(x_hat, stats)``; ``inverse(y_hat, stats)``
    takes (N, H, C) and returns y. The statistics are returned, not stored on the module, so one
    module can normalise several batches at once.

    Example:
        >>> revin = RevIN(3)
        >>> x = torch.randn(2, 10, 3) * 5 + 7
        >>> x_hat, stats = revin(x)
        >>> torch.allclose(revin.inverse(x_hat, stats), x, atol=1e-5)
        True
    """

    def __init__(self, num_features: int, eps: float = 1e-5, affine: bool = True) -> None:
        super().__init__()
        check("RevIN", {"num_features": positive_int()}, {"num_features": num_features})
        self.num_features = num_features
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))  # γ
            self.bias = nn.Parameter(torch.zeros(num_features))  # β

    def forward(self, x: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if x.dim() != 3 or x.shape[-1] != self.num_features:
            raise ShapeError(
                f"input of RevIN must be a 3-D tensor (N, L, {self.num_features}); got shape "
                f"{tuple(x.shape)}. Put channels in the last dimension.",
                param="input",
            )
        mu = x.mean(dim=1, keepdim=True).detach()  # (N, 1, C)
        sigma = torch.sqrt(x.var(dim=1, keepdim=True, unbiased=False) + self.eps).detach()
        x_hat = (x - mu) / sigma
        if self.affine:
            x_hat = x_hat * self.weight + self.bias
        return x_hat, (mu, sigma)

    def inverse(self, y_hat: Tensor, stats: tuple[Tensor, Tensor]) -> Tensor:
        mu, sigma = stats
        if self.affine:
            # ε² keeps the division finite should γ be driven to zero ([1]'s code does the same).
            y_hat = (y_hat - self.bias) / (self.weight + self.eps**2)
        return y_hat * sigma + mu

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, affine={self.affine}"
