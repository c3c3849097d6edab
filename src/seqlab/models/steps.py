"""One output per input step, causal: the many-to-many shape of equal length.

The forecasters of the zoo read a whole window and answer once; the long-memory tasks
(adding, copy memory) and the gradient measurements need a network that answers at every
step t from steps ≤ t only. :class:`StepModel` puts the zoo's backbones in that shape:

- ``rnn``, ``lstm``, ``gru``: :class:`seqlab.nn.Recurrent` — causal by construction;
- ``transformer``: :class:`seqlab.nn.TransformerEncoder` with a causal mask, sinusoidal
  positions added to a linear embedding of each step;
- ``tcn``: the TCN's dilated causal blocks (:func:`seqlab.models.tcn.causal_blocks`), as deep
  as the sequence needs for the last step to see the first.

A linear head maps each step's features to ``output_size`` numbers.

where:
    N  batch    L  steps    C_in  input features    C_out  outputs per step    E  hidden size
"""

from __future__ import annotations

from torch import Tensor, nn

from seqlab.errors import check, one_of, positive_int
from seqlab.models.tcn import causal_blocks
from seqlab.nn import Recurrent, TransformerEncoder, sinusoidal_positional_encoding

__all__ = ["STEP_KINDS", "StepModel"]

STEP_KINDS = ("rnn", "lstm", "gru", "transformer", "tcn")


class StepModel(nn.Module):
    """``forward(x (N, L, C_in))`` → (N, L, C_out), output t computed from steps ≤ t.

    ``length`` is the longest sequence the TCN must see whole (its depth follows from it);
    the other kinds take any length.

    Example:
        >>> import torch
        >>> net = StepModel("gru", input_size=2, output_size=1, hidden_size=16)
        >>> net(torch.randn(3, 50, 2)).shape
        torch.Size([3, 50, 1])
    """

    def __init__(
        self,
        kind: str,
        input_size: int,
        output_size: int,
        hidden_size: int = 64,
        num_layers: int = 1,
        num_heads: int = 4,
        kernel_size: int = 7,
        length: int = 1000,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check(
            "StepModel",
            {
                "kind": one_of(*STEP_KINDS),
                "hidden_size": positive_int(),
                "num_layers": positive_int(),
                "length": positive_int(),
            },
            {"kind": kind, "hidden_size": hidden_size, "num_layers": num_layers, "length": length},
        )
        self.kind = kind
        self.hidden_size = hidden_size
        self.backbone: nn.Module
        if kind == "transformer":
            self.embed = nn.Linear(input_size, hidden_size)
            self.backbone = TransformerEncoder(
                hidden_size, num_heads, num_layers, 2 * hidden_size, dropout
            )
        elif kind == "tcn":
            self.backbone = causal_blocks(
                input_size, hidden_size, length, kernel_size, num_layers, dropout
            )
        else:
            self.backbone = Recurrent(
                kind,
                input_size,
                hidden_size,
                num_layers,
                dropout=dropout if num_layers > 1 else 0.0,
            )
        self.head = nn.Linear(hidden_size, output_size)

    def features(self, x: Tensor) -> Tensor:
        """The backbone's features at every step, (N, L, E)."""
        if self.kind == "transformer":
            pe = sinusoidal_positional_encoding(x.shape[1], self.hidden_size).to(x)
            return self.backbone(self.embed(x) + pe, causal=True)
        if self.kind == "tcn":
            return self.backbone(x.transpose(1, 2)).transpose(1, 2)  # (N, E, L) → (N, L, E)
        out, _ = self.backbone(x)
        return out

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x))  # (N, L, C_out)
