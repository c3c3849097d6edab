"""A text encoder: token embeddings into a sequence encoder of the zoo, aware of true lengths.

Backbone only: it returns per-token states and one summary vector per text; the tagging and
classification tasks add their heads.

Optional bigram features (character tagging's strongest cue): token t also embeds the two
bigrams it is part of, (t-1, t) and (t, t+1). A text of L tokens has L+1 such "edges"
(the first and last pair a token with the text's boundary); ``edges`` (N, L+1) holds their ids
and token t reads edges t and t+1.

Optional per-token features: F categorical values per token (a word's first and last
character, which dictionary words begin or end at a character, ...), ids (N, L, F) into one
feature table; their F embeddings are concatenated to the token's.

Optional word dropout (``word_dropout`` > 0, training only): each token id is replaced by
the unknown token's id (``unk_id``, which the vocabulary's owner passes) with that
probability, so the model learns to read unseen tokens from their context and features rather
than from an embedding of their own.

where:
    N  batch    L  padded length    V  vocabulary    E  embedding size    D  output size
    B  bigram vocabulary    G  bigram embedding size
    F  features per token   C  feature vocabulary       H  feature embedding size
"""

from __future__ import annotations

from typing import cast

import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError, ShapeError, check, one_of
from seqlab.nn import Recurrent, TransformerEncoder, sinusoidal_positional_encoding

__all__ = ["TextEncoder"]


class TextEncoder(nn.Module):
    """Embedding (V → E, ``<pad>`` = 0) then ``kind``: rnn, lstm, gru or transformer.

    ``forward(ids, lengths)`` → (states (N, L, D), summary (N, D)). Recurrent encoders run
    on the true lengths (``seqlab.nn.Recurrent``'s ``lengths``); the Transformer masks the
    padding. The summary (``pooling``) is by default the last layer's final state, both
    directions (recurrent) or the mean over the real tokens (Transformer); ``max`` and
    ``mean`` pool the states over the real tokens.

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
        bigram_vocab_size: int = 0,
        bigram_dim: int = 0,
        pooling: str = "auto",
        feature_vocab_size: int = 0,
        feature_dim: int = 0,
        num_features: int = 0,
        word_dropout: float = 0.0,
        unk_id: int | None = None,
    ) -> None:
        super().__init__()
        check(
            "TextEncoder",
            {
                "kind": one_of("rnn", "lstm", "gru", "transformer"),
                "pooling": one_of("auto", "mean", "max"),
            },
            {"kind": kind, "pooling": pooling},
        )
        if word_dropout > 0 and unk_id is None:
            raise ConfigError(
                f"unk_id of TextEncoder must be given when word_dropout > 0; got None with "
                f"word_dropout={word_dropout}. Pass the vocabulary's unknown-token id.",
                param="unk_id",
            )
        self.kind = kind
        self.pooling = pooling
        self.word_dropout = word_dropout
        self.unk_id = unk_id
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.bigrams = (
            nn.Embedding(bigram_vocab_size, bigram_dim, padding_idx=0) if bigram_dim else None
        )
        self.features = (
            nn.Embedding(feature_vocab_size, feature_dim, padding_idx=0)
            if feature_dim and num_features
            else None
        )
        embedding_dim += 2 * bigram_dim + (num_features * feature_dim if self.features else 0)
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

    def forward(
        self,
        ids: Tensor,
        lengths: Tensor,
        edges: Tensor | None = None,
        features: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        if self.training and self.word_dropout > 0 and self.unk_id is not None:
            drop = torch.rand(ids.shape, device=ids.device) < self.word_dropout
            ids = ids.masked_fill(drop & (ids > 0), self.unk_id)  # padding (id 0) stays padding
        x = self.embedding(ids)  # (N, L, E)
        if self.bigrams is not None:
            if edges is None:
                raise ShapeError(
                    "edges of TextEncoder.forward must be given when bigram_dim > 0; got None. "
                    "Pass the (N, L+1) bigram ids.",
                    param="edges",
                )
            b = self.bigrams(edges)  # (N, L+1, G)
            x = torch.cat([x, b[:, :-1], b[:, 1:]], dim=-1)  # (N, L, E + 2G)
        if self.features is not None:
            if features is None:
                raise ShapeError(
                    "features of TextEncoder.forward must be given when num_features > 0; got "
                    "None. Pass the (N, L, F) feature ids.",
                    param="features",
                )
            f = self.features(features)  # (N, L, F, H)
            x = torch.cat([x, f.flatten(2)], dim=-1)  # (N, L, E + 2G + F·H)
        x = self.dropout(x)
        if self.kind == "transformer":
            length = ids.shape[1]
            pad = (
                torch.arange(length, device=ids.device)[None, :] >= lengths.to(ids.device)[:, None]
            )
            # Positions computed for this length: no text is too long for the encoder.
            pe = sinusoidal_positional_encoding(length, self.output_size).to(x)
            states = self.encoder(self.project(x) + pe, key_padding_mask=pad)
            return states, self._pool(states, pad, None)
        recurrent = cast(Recurrent, self.encoder)
        states = recurrent.outputs(x, lengths)
        # The last layer's final h, read off its outputs: left to right at each text's last
        # token, right to left at its first.
        size = recurrent.hidden_size
        ends = (lengths.to(ids.device) - 1).clamp(min=0)
        last = states[torch.arange(len(ids), device=ids.device), ends, :size]
        if recurrent.num_directions == 2:
            last = torch.cat([last, states[:, 0, size:]], dim=-1)
        pad = (
            torch.arange(ids.shape[1], device=ids.device)[None, :]
            >= lengths.to(ids.device)[:, None]
        )
        return states, self._pool(states, pad, last)

    def _pool(self, states: Tensor, pad: Tensor, last: Tensor | None) -> Tensor:
        """One vector per text: ``max`` or ``mean`` over the real tokens; ``auto`` is the
        final state of a recurrent encoder (both directions), the mean for the Transformer."""
        if self.pooling == "auto" and last is not None:
            return last
        if self.pooling == "max":
            return states.masked_fill(pad.unsqueeze(-1), float("-inf")).amax(1)
        keep = (~pad).unsqueeze(-1).to(states.dtype)  # (N, L, 1)
        return (states * keep).sum(1) / keep.sum(1).clamp(min=1)
