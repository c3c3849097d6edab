"""RNN, LSTM and GRU forecasters: a recurrent encoder and a linear head for all H steps.

.. [1] Elman (1990). Finding Structure in Time. Cognitive Science 14(2).
.. [2] Hochreiter & Schmidhuber (1997). Long Short-Term Memory. Neural Computation 9(8).
.. [3] Cho et al. (2014). Learning Phrase Representations using RNN Encoder-Decoder for
       Statistical Machine Translation. EMNLP. arXiv:1406.1078.
"""

from __future__ import annotations

from torch import Tensor, nn

from seqlab.models.shape import Shape, need_future
from seqlab.nn import Recurrent

__all__ = ["RecurrentForecaster"]


class RecurrentForecaster(nn.Module):
    """Read the window with a stacked ``Recurrent`` layer; map its final state to H steps.

    The head reads the last layer's final hidden state — the summary of the whole window —
    and emits every horizon step from it (the "direct" strategy). It does not read one output
    per step from the last H input positions, a common shortcut that makes step h see data
    H - h steps older than it could. Bidirectional encoders concatenate both directions'
    final states.

    Future covariates (``shape.future_size`` F > 0): a decoder — a second recurrent stack of
    the same kind, started from the encoder's final state (both directions summed per layer
    for a bidirectional encoder) — reads the F known values of each forecast step, and a
    linear map of its output at step h is added to the head's step h. The sequence-to-sequence
    shape: what the window says, corrected by what is known of each step ahead.

    Example:
        >>> shape = Shape(lookback=60, horizon=5, input_size=2, output_size=1, target_index=(0,))
        >>> RecurrentForecaster(shape, "lstm")(torch.randn(8, 60, 2)).shape  # doctest: +SKIP
        torch.Size([8, 5, 1])
    """

    trainable = True

    def __init__(
        self,
        shape: Shape,
        kind: str,
        hidden_size: int = 64,
        num_layers: int = 2,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        self.shape = shape
        self.encoder = Recurrent(
            kind, shape.input_size, hidden_size, num_layers, bidirectional, dropout
        )
        self.head = nn.Linear(self.encoder.output_size, shape.horizon * shape.output_size)
        self.decoder: Recurrent | None = None
        if shape.future_size:
            self.decoder = Recurrent(
                kind, shape.future_size, hidden_size, num_layers, False, dropout
            )
            self.future_head = nn.Linear(hidden_size, shape.output_size)

    def forward(self, x: Tensor, future: Tensor | None = None) -> Tensor:
        n = x.shape[0]
        _, state = self.encoder(x)
        h = state[0] if isinstance(state, tuple) else state  # (D*num_layers, N, H_hid)
        d = self.encoder.num_directions
        last = h[-d:]  # the last layer, (D, N, H_hid)
        summary = last.transpose(0, 1).reshape(n, -1)  # (N, D*H_hid)
        y = self.head(summary).view(n, self.shape.horizon, self.shape.output_size)
        if self.decoder is None:
            return y
        future = need_future(self.shape, future, "recurrent")

        def fold(s: Tensor) -> Tensor:  # (D*layers, N, H) -> (layers, N, H)
            return s.view(-1, d, n, s.shape[-1]).sum(1) if d > 1 else s

        start = tuple(fold(s) for s in state) if isinstance(state, tuple) else fold(state)
        out, _ = self.decoder(future, start)  # (N, H, H_hid)
        return y + self.future_head(out)
