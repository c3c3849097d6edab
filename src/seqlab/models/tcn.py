"""Temporal convolutional network: stacked dilated causal 1-D convolutions.

.. [1] Bai, Kolter & Koltun (2018). An Empirical Evaluation of Generic Convolutional and
       Recurrent Networks for Sequence Modeling. arXiv:1803.01271.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from seqlab.models.shape import Shape, need_future

__all__ = ["TCN", "causal_blocks", "per_step_head"]


class _CausalBlock(nn.Module):
    """Two dilated causal convolutions with ReLU and dropout, in a residual branch ([1], fig. 1b).

    Causal: the input is padded on the left only, by (k-1)·d, so output t sees inputs ≤ t.
    """

    def __init__(self, c_in: int, c_out: int, kernel_size: int, dilation: int, dropout: float):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.conv1 = nn.Conv1d(c_in, c_out, kernel_size, dilation=dilation)
        self.conv2 = nn.Conv1d(c_out, c_out, kernel_size, dilation=dilation)
        self.dropout = nn.Dropout(dropout)
        self.skip = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: Tensor) -> Tensor:  # (N, C, L)
        y = self.dropout(self.conv1(nn.functional.pad(x, (self.pad, 0))).relu())
        y = self.dropout(self.conv2(nn.functional.pad(y, (self.pad, 0))).relu())
        return (y + self.skip(x)).relu()


def causal_blocks(
    input_size: int,
    hidden_size: int,
    length: int,
    kernel_size: int = 3,
    num_layers: int = 2,
    dropout: float = 0.0,
) -> nn.Sequential:
    """Residual blocks with dilations 1, 2, 4, ..., enough of them (and at least
    ``num_layers``) for the last step to see all ``length`` steps: (N, C_in, L) → (N, hidden, L).

    With kernel size k and B blocks of two convolutions the receptive field is
    1 + 2(k-1)(2^B - 1) steps, so B = ceil(log2((L-1) / (2(k-1)) + 1)).
    """
    needed = math.ceil(math.log2((length - 1) / (2 * (kernel_size - 1)) + 1))
    blocks = max(num_layers, needed)
    channels = [input_size] + [hidden_size] * blocks
    return nn.Sequential(
        *(
            _CausalBlock(channels[b], channels[b + 1], kernel_size, 2**b, dropout)
            for b in range(blocks)
        )
    )


class TCN(nn.Module):
    """Blocks with dilations 1, 2, 4, ... until the receptive field covers the lookback
    (:func:`causal_blocks`); the head maps the last step's channels to all H steps.

    Future covariates (``shape.future_size`` F > 0), a per-step input: for each forecast step
    h a small network (hidden_size wide, ReLU) reads the last step's channels beside the F
    known values of step h, and its output is added to the head's step h.

    Example:
        >>> shape = Shape(lookback=60, horizon=5, input_size=1, output_size=1, target_index=(0,))
        >>> TCN(shape)(torch.randn(8, 60, 1)).shape  # doctest: +SKIP
        torch.Size([8, 5, 1])
    """

    trainable = True

    def __init__(
        self,
        shape: Shape,
        hidden_size: int = 64,
        num_layers: int = 2,
        dropout: float = 0.0,
        kernel_size: int = 3,
    ) -> None:
        super().__init__()
        self.shape = shape
        self.blocks = causal_blocks(
            shape.input_size, hidden_size, shape.lookback, kernel_size, num_layers, dropout
        )
        self.head = nn.Linear(hidden_size, shape.horizon * shape.output_size)
        if shape.future_size:
            self.future_head = per_step_head(hidden_size, shape.future_size, shape.output_size)

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        n = x.shape[0]
        last = self.blocks(x.transpose(1, 2))[:, :, -1]  # (N, hidden)
        y = self.head(last).view(n, self.shape.horizon, self.shape.output_size)
        if not self.shape.future_size:
            return y
        future = need_future(self.shape, future, "tcn")
        steps = torch.cat([last[:, None].expand(-1, future.shape[1], -1), future], -1)
        return y + self.future_head(steps)


def per_step_head(width: int, future_size: int, outputs: int) -> nn.Sequential:
    """[summary (width); the F known values of one step] → ReLU(width) → ``outputs``: the
    correction a forecast step gets from what is known of it."""
    return nn.Sequential(
        nn.Linear(width + future_size, width), nn.ReLU(), nn.Linear(width, outputs)
    )
