"""A Transformer encoder forecaster.

.. [1] Vaswani et al. (2017). Attention Is All You Need. NeurIPS. arXiv:1706.03762.
"""

from __future__ import annotations

from torch import Tensor, nn

from seqlab.models.shape import Shape
from seqlab.nn import PositionalEncoding, TransformerEncoder

__all__ = ["TransformerForecaster"]


class TransformerForecaster(nn.Module):
    """Embed each step (C_in → d_model), add sinusoidal positions, run a pre-norm encoder over
    the window, and map the last position's representation to all H steps.

    ``hidden_size`` is d_model; ``num_heads`` must divide it; the feed-forward width is
    2 × d_model, enough for the small windows of forecasting.

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
        self.position = PositionalEncoding(hidden_size, max_len=shape.lookback, dropout=dropout)
        self.encoder = TransformerEncoder(
            hidden_size, num_heads, num_layers, 2 * hidden_size, dropout, activation="gelu"
        )
        self.head = nn.Linear(hidden_size, shape.horizon * shape.output_size)

    def forward(self, x: Tensor) -> Tensor:
        n = x.shape[0]
        z = self.encoder(self.position(self.embed(x)))  # (N, L, d_model)
        return self.head(z[:, -1]).view(n, self.shape.horizon, self.shape.output_size)
