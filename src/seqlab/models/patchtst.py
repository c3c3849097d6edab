"""A channel-independent patch Transformer (PatchTST-style).

.. [1] Nie, Nguyen, Sinthong & Kalagnanam (2023). A Time Series is Worth 64 Words: Long-term
       Forecasting with Transformers. ICLR. arXiv:2211.14730.

Each channel's window, normalised by its own statistics (RevIN), is cut into overlapping
patches; each patch is one token. Attention then runs over L/S tokens instead of L steps, and
every channel is forecast by the same weights ("channel independence", [1] section 3.1).

where:
    N  batch    C  channels    L  lookback    H  horizon
    P  patch length    S  stride (P/2)    T = (L - P)/S + 2 patches    d  d_model
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError
from seqlab.models.shape import Shape, need_future
from seqlab.nn import RevIN, TransformerEncoder

__all__ = ["PatchTST"]


class PatchTST(nn.Module):
    """RevIN → patches → linear patch embedding + learned positions → Transformer encoder →
    flatten all patch tokens → linear head to H, per channel.

    Differences from [1]'s code, on purpose: pre-norm LayerNorm instead of post-norm
    BatchNorm (seqlab's one encoder; trains without warm-up), and a feed-forward width of
    2·d. ``patch_len`` is P (default 16, [1]'s choice), the stride P/2; the window is padded
    at its end with S copies of its last value, as in [1], which gives T patches.

    Future covariates (``shape.future_size`` F > 0), a per-step input: a linear map of the
    H × F known values to the H steps of each target, added to its forecast once RevIN has
    mapped it back (the covariates are scaled on the training rows, not per window).

    Example:
        >>> shape = Shape(lookback=336, horizon=96, input_size=7, output_size=7,
        ...               target_index=tuple(range(7)))
        >>> PatchTST(shape, hidden_size=16, num_heads=4)(torch.randn(2, 336, 7)).shape
        torch.Size([2, 96, 7])
    """

    trainable = True
    normalises = True  # RevIN inside: a revin=True setting adds no second one

    def __init__(
        self,
        shape: Shape,
        hidden_size: int = 64,
        num_layers: int = 3,
        num_heads: int = 4,
        dropout: float = 0.2,
        patch_len: int | None = None,
    ) -> None:
        super().__init__()
        self.shape = shape
        p = patch_len or min(16, shape.lookback)
        if p > shape.lookback or p < 2:
            raise ConfigError(
                f"patch_len of PatchTST must be in [2, lookback={shape.lookback}]; got {p}. "
                "Use a shorter patch or a longer lookback.",
                param="patch_len",
            )
        self.p = p
        self.s = max(p // 2, 1)
        patches = (shape.lookback - p) // self.s + 2  # +1 for the end padding of S steps
        self.revin = RevIN(shape.input_size)
        self.embed = nn.Linear(p, hidden_size)
        self.position = nn.Parameter(torch.empty(patches, hidden_size).uniform_(-0.02, 0.02))
        self.dropout = nn.Dropout(dropout)
        self.encoder = TransformerEncoder(
            hidden_size, num_heads, num_layers, 2 * hidden_size, dropout, activation="gelu"
        )
        self.head = nn.Linear(patches * hidden_size, shape.horizon)
        if shape.future_size:
            targets = len(shape.target_index)
            self.future = nn.Linear(shape.horizon * shape.future_size, shape.horizon * targets)

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        n, _, c = x.shape
        x_hat, stats = self.revin(x)
        z = x_hat.transpose(1, 2)  # (N, C, L)
        z = torch.cat([z, z[..., -1:].expand(-1, -1, self.s)], dim=-1)  # (N, C, L+S)
        tokens = z.unfold(-1, self.p, self.s)  # (N, C, T, P)
        u = self.embed(tokens) + self.position  # (N, C, T, d)
        t, d = u.shape[2], u.shape[3]
        h = self.encoder(self.dropout(u.reshape(n * c, t, d)))  # (N·C, T, d)
        y = self.head(h.reshape(n * c, t * d)).reshape(n, c, -1).transpose(1, 2)  # (N, H, C)
        y = self.revin.inverse(y, stats)[:, :, list(self.shape.target_index)]
        if not self.shape.future_size:
            return y
        known = need_future(self.shape, future, "patchtst").flatten(1)  # (N, H·F)
        return y + self.future(known).view(y.shape)
