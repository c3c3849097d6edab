"""A text encoder: token embeddings into a sequence encoder of the zoo, aware of true lengths.

Backbone only: it returns per-token states and one summary vector per text; the tagging and
classification tasks add their heads.

where:
    N  batch    L  padded length    V  vocabulary    E  embedding size    D  output size
"""

from __future__ import annotations

from typing import cast

import torch
from torch import Tensor, nn

from seqlab.errors import check, one_of
from seqlab.nn import Recurrent, TransformerEncoder, sinusoidal_positional_encoding

__all__ = ["TextEncoder"]


class TextEncoder(nn.Module):
    """Embedding (V → E, ``<pad>`` = 0) then ``kind``: rnn, lstm, gru or transformer.

    ``forward(ids, lengths)`` → (states (N, L, D), summary (N, D)). Recurrent encoders run
    on the true lengths (``seqlab.nn.Recurrent``'s ``lengths``), and their summary is the
    last layer's final state, both directions; the Transformer masks the padding and its
    summary is the mean over the real tokens.

    Example:
        >>> enc = TextEncoder(100, "lstm", hidden_size=32, bidirectional=True)
        >>> states, summary = enc(torch.randint(1, 100, (2, 7)), torch.tensor([7, 4]))
        >>> states.shape, summary.shape
        (torch.Size([2, 7, 64]), torch.Size([2, 64]))
    """

    def __init__(
        self,
        vocab_size: int,
        kind: str = "lstm",
        embedding_dim: int = 64,
        hidden_size: int = 128,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.1,
        num_heads: int = 4,
    ) -> None:
        super().__init__()
        check("TextEncoder", {"kind": one_of("rnn", "lstm", "gru", "transformer")}, {"kind": kind})
        self.kind = kind
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        if kind == "transformer":
            self.output_size = hidden_size
            self.project = nn.Linear(embedding_dim, hidden_size)
            self.encoder: nn.Module = TransformerEncoder(
                hidden_size, num_heads, num_layers, 2 * hidden_size, dropout
            )
        else:
            self.encoder = Recurrent(
                kind,
                embedding_dim,
                hidden_size,
                num_layers,
                bidirectional,
                dropout if num_layers > 1 else 0.0,
            )
            self.output_size = self.encoder.output_size

    def forward(self, ids: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        x = self.dropout(self.embedding(ids))  # (N, L, E)
        if self.kind == "transformer":
            length = ids.shape[1]
            pad = (
                torch.arange(length, device=ids.device)[None, :] >= lengths.to(ids.device)[:, None]
            )
            # Positions computed for this length: no text is too long for the encoder.
            pe = sinusoidal_positional_encoding(length, self.output_size).to(x)
            states = self.encoder(self.project(x) + pe, key_padding_mask=pad)
            keep = (~pad).unsqueeze(-1).to(states.dtype)  # (N, L, 1)
            summary = (states * keep).sum(1) / keep.sum(1).clamp(min=1)
            return states, summary
        recurrent = cast(Recurrent, self.encoder)
        states, state = recurrent(x, lengths=lengths.cpu())
        h = state[0] if isinstance(state, tuple) else state  # (D·layers, N, H)
        last = h[-recurrent.num_directions :].transpose(0, 1)  # (N, D, H)
        return states, last.reshape(ids.shape[0], -1)
