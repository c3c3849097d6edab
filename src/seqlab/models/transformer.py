"""A Transformer encoder forecaster.

.. [1] Vaswani et al. (2017). Attention Is All You Need. NeurIPS. arXiv:1706.03762.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.models.shape import Shape, need_future
from seqlab.nn import PositionalEncoding, TransformerEncoder

__all__ = ["TransformerForecaster"]


class TransformerForecaster(nn.Module):
    """Embed each step (C_in → d_model), add sinusoidal positions, run a pre-norm encoder over
    the window, and map the last position's representation to all H steps.

    ``hidden_size`` is d_model; ``num_heads`` must divide it; the feed-forward width is
    2 × d_model, enough for the small windows of forecasting.

    Future covariates (``shape.future_size`` F > 0): each forecast step becomes a decoder
    token, its F known values embedded (F → d_model) at positions L .. L+H-1, and the encoder
    runs over the L + H tokens (the future tokens hold only what is known, so no mask is
    needed); a linear map of token L+h is added to the head's step h.

    Example:
        >>> shape = Shape(lookback=60, horizon=5, input_size=1, output_size=1, target_index=(0,))
        >>> TransformerForecaster(shape)(torch.randn(8, 60, 1)).shape  # doctest: +SKIP
        torch.Size([8, 5, 1])
    """

    trainable = True

    def __init__(
        self,
        shape: Shape,
        hidden_size: int = 64,
        num_layers: int = 2,
        dropout: float = 0.0,
        num_heads: int = 4,
    ) -> None:
        super().__init__()
        self.shape = shape
        self.embed = nn.Linear(shape.input_size, hidden_size)
        steps = shape.lookback + (shape.horizon if shape.future_size else 0)
        self.position = PositionalEncoding(hidden_size, max_len=steps, dropout=dropout)
        self.encoder = TransformerEncoder(
            hidden_size, num_heads, num_layers, 2 * hidden_size, dropout, activation="gelu"
        )
        self.head = nn.Linear(hidden_size, shape.horizon * shape.output_size)
        if shape.future_size:
            self.embed_future = nn.Linear(shape.future_size, hidden_size)
            self.future_head = nn.Linear(hidden_size, shape.output_size)

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        n, length = x.shape[:2]
        tokens = self.embed(x)  # (N, L, d_model)
        if self.shape.future_size:
            future = need_future(self.shape, future, "transformer")
            tokens = torch.cat([tokens, self.embed_future(future)], dim=1)  # (N, L+H, d)
        z = self.encoder(self.position(tokens))
        y = self.head(z[:, length - 1]).view(n, self.shape.horizon, self.shape.output_size)
        return y + self.future_head(z[:, length:]) if self.shape.future_size else y
