"""SegRNN: segment-wise recurrence for long-horizon forecasting.

.. [1] Lin, Lin, Wu, Chen & Yang (2023). SegRNN: Segment Recurrent Neural Network for
       Long-Term Time Series Forecasting. arXiv:2308.11200.

A GRU over a 720-step window takes 720 sequential steps and forgets; over 15 segments of 48
steps it takes 15. And instead of decoding the horizon one segment after another (errors
accumulate), SegRNN decodes every output segment at once from the same encoder state, each
told which segment (position embedding) and which channel (channel embedding) it is — "PMF",
parallel multi-step forecasting ([1], section 3.2).

where:
    N  batch    C  channels    L  lookback    H  horizon
    w  segment length    n = L / w input segments    m = H / w output segments
    d  hidden size (d_model)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError
from seqlab.models.shape import Shape, need_future

__all__ = ["SegRNN"]


class SegRNN(nn.Module):
    r"""Segment, embed, encode with a GRU, decode all horizon segments in parallel.

    1. Normalise: subtract each channel's last value (x_L), as [1]'s default does.
    2. Segment: (N·C, L) → (N·C, n, w); embed each segment: ReLU(W_e s + b_e) ∈ R^d.
    3. Encode: h_n = GRU(e_1, ..., e_n), the final state of each channel's sequence.
    4. Decode (PMF): for output segment j and channel c the GRU takes one step from h_n with
       input [pos_j ; chan_c] (two learned d/2 vectors), all N·C·m steps in one batch.
    5. Project each decoder state to w values (dropout, then a linear map); add x_L back.

    Channel-independent: every channel runs through the same weights; only the channel
    embedding tells them apart. Outputs are the target channels. ``patch_len`` is w (default
    48, as [1] uses for lookback 720; at most L); L is cropped to a multiple of w (the oldest
    steps go) and the last output segment is cut to H.

    Future covariates (``shape.future_size`` F > 0), a per-step input of the decoder: the
    w × F known values of output segment j (the last segment padded with its last step) are
    embedded (w·F → d) and added to segment j's decoder input, for every channel.

    Example:
        >>> shape = Shape(lookback=720, horizon=96, input_size=7, output_size=7,
        ...               target_index=tuple(range(7)))
        >>> SegRNN(shape, hidden_size=512, dropout=0.5)(torch.randn(2, 720, 7)).shape
        torch.Size([2, 96, 7])
    """

    trainable = True

    def __init__(
        self,
        shape: Shape,
        hidden_size: int = 512,
        dropout: float = 0.5,
        patch_len: int | None = None,
    ) -> None:
        super().__init__()
        self.shape = shape
        w = patch_len or min(48, shape.lookback)
        if w > shape.lookback or hidden_size % 2:
            raise ConfigError(
                f"patch_len of SegRNN must be at most lookback={shape.lookback}, with an even "
                f"hidden_size; got patch_len={w}, hidden_size={hidden_size}. Use a shorter "
                "segment or an even hidden size.",
                param="patch_len",
            )
        self.w = w
        self.n = shape.lookback // w  # input segments (the oldest L mod w steps are dropped)
        self.m = math.ceil(shape.horizon / w)  # output segments (the last one is cut to H)
        d = hidden_size
        self.embed = nn.Sequential(nn.Linear(w, d), nn.ReLU())
        self.gru = nn.GRU(d, d, batch_first=True)
        self.pos_emb = nn.Parameter(torch.randn(self.m, d // 2))  # which output segment
        self.channel_emb = nn.Parameter(torch.randn(shape.input_size, d // 2))  # which channel
        self.predict = nn.Sequential(nn.Dropout(dropout), nn.Linear(d, w))
        if shape.future_size:
            self.future_embed = nn.Linear(w * shape.future_size, d)

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        n_batch, _, c = x.shape
        last = x[:, -1:, :].detach()  # (N, 1, C)
        z = (x[:, -self.n * self.w :] - last).transpose(1, 2)  # (N, C, n·w)
        e = self.embed(z.reshape(n_batch * c, self.n, self.w))  # (N·C, n, d)
        _, h_n = self.gru(e)  # (1, N·C, d)

        d = h_n.shape[-1]
        queries = torch.cat(
            [
                self.pos_emb.unsqueeze(0).expand(c, -1, -1),  # (C, m, d/2)
                self.channel_emb.unsqueeze(1).expand(-1, self.m, -1),  # (C, m, d/2)
            ],
            dim=-1,
        )  # (C, m, d)
        queries = queries.reshape(1, c * self.m, d).expand(n_batch, -1, -1)  # (N, C·m, d)
        if self.shape.future_size:
            known = need_future(self.shape, future, "segrnn")  # (N, H, F)
            pad = self.m * self.w - known.shape[1]
            known = torch.cat([known, known[:, -1:].expand(-1, pad, -1)], 1)  # (N, m·w, F)
            e_f = self.future_embed(known.reshape(n_batch, self.m, -1))  # (N, m, d)
            queries = queries + e_f.repeat(1, c, 1)  # channel-major, as the queries
        queries = queries.reshape(n_batch * c * self.m, 1, d)  # (N·C·m, 1, d)
        h0 = h_n.repeat_interleave(self.m, dim=1)  # (1, N·C·m, d): each state, m times
        _, h_y = self.gru(queries, h0)  # (1, N·C·m, d)
        y = self.predict(h_y).reshape(n_batch, c, self.m * self.w)  # (N, C, m·w)
        y = y[:, :, : self.shape.horizon].transpose(1, 2) + last  # (N, H, C)
        return y[:, :, list(self.shape.target_index)]
