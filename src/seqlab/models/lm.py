"""A language model: token embedding → recurrent or causal Transformer backbone → next-token
logits over the vocabulary.

.. [1] Mikolov et al. (2010). Recurrent neural network based language model. Interspeech.
.. [2] Press & Wolf (2017). Using the Output Embedding to Improve Language Models. EACL.
       (Tied input and output embeddings.)
.. [3] Radford et al. (2018). Improving Language Understanding by Generative Pre-Training.
       (A decoder-only Transformer: causal self-attention over the tokens so far.)
.. [4] Grave et al. (2017). Efficient softmax approximation for GPUs. ICML. (The adaptive
       softmax.)

where:
    N  batch    L  tokens in the chunk    V  vocabulary    H  hidden size
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from seqlab.data.batches import IGNORE
from seqlab.errors import ConfigError, check, one_of
from seqlab.nn import KVCache, Recurrent, TransformerEncoder, sinusoidal_positional_encoding
from seqlab.nn.recurrent import State
from seqlab.nn.state import select_caches, select_recurrent, select_rows

__all__ = ["LMState", "LanguageModelNet"]


@dataclass
class LMState:
    """What a language model carries from one chunk to the next: the recurrent state, or the
    Transformer's key/value caches and how many steps they hold."""

    recurrent: State | None = None
    caches: list[KVCache] = field(default_factory=list)
    offset: int = 0
    tokens: Tensor | None = None  # (N, offset): what the Transformer's caches were built from

    def detach(self) -> LMState:
        """The same state cut from the graph (truncated backpropagation through time)."""
        r = self.recurrent
        if isinstance(r, tuple):
            return LMState((r[0].detach(), r[1].detach()))
        return LMState(None if r is None else r.detach())

    def select(self, rows: Tensor) -> LMState:
        """The state of ``rows`` (M,) long, in that order (a beam's surviving hypotheses)."""
        return LMState(
            select_recurrent(self.recurrent, rows),
            select_caches(self.caches, rows),
            self.offset,
            select_rows(self.tokens, rows),
        )

    def reset(self, rows: Tensor) -> LMState:
        """Zero the recurrent state of ``rows`` (N,) bool: those rows start a new document."""
        keep = (~rows).to(torch.float32)[None, :, None]  # (1, N, 1)
        r = self.recurrent
        if r is None:
            return self
        if isinstance(r, tuple):
            return LMState((r[0] * keep.to(r[0]), r[1] * keep.to(r[1])))
        return LMState(r * keep.to(r))


class LanguageModelNet(nn.Module):
    """Embedding (V → H) → dropout → backbone → head (H → V log-probabilities).

    ``kind`` "rnn", "lstm" or "gru": a stacked ``seqlab.nn.Recurrent`` whose state carries
    over from chunk to chunk [1]. ``kind`` "transformer": pre-norm causal self-attention
    blocks with sinusoidal positions [3]; its state is one key/value cache per layer, so that
    generating a token costs one step, not the whole text again.

    The head is a full softmax, its weight tied to the embedding's when ``tie_weights`` [2],
    or with ``cutoffs`` an adaptive softmax [4] (``torch.nn.AdaptiveLogSoftmaxWithLoss``,
    the vocabulary's ids in order of frequency): the most frequent tokens in the head, the
    rarer ones in clusters of smaller projections — exact probabilities, several times faster
    to train on thousands of Chinese characters.

    The Transformer's embedding starts at N(0, 0.02²) (GPT-2's) and is scaled by √H on the
    way in, so the tokens show beside the positions; tied to the output behind the final
    LayerNorm, it starts with a first loss near ln V (at N(0, 1) each token's own logit was
    about H and the first loss on the next token about 100 nats). ``context``: the longest
    text the Transformer trained on; reading past it, the model starts again from the last
    ``context // 2`` tokens instead of attending at positions it has never seen.

    ``forward(ids (N, L), lengths=None, state=None)`` → (hidden (N, L, H), state); ``lengths``
    (N,) the real tokens of a batch padded at the end. :meth:`log_probs` turns hidden states
    into next-token log-probabilities, :meth:`loss` scores them against targets.

    Example:
        >>> net = LanguageModelNet(50, "gru", hidden_size=16, num_layers=1)
        >>> hidden, state = net(torch.randint(0, 50, (2, 7)))
        >>> net.log_probs(hidden).shape
        torch.Size([2, 7, 50])
    """

    def __init__(
        self,
        vocab_size: int,
        kind: str = "lstm",
        hidden_size: int = 256,
        num_layers: int = 2,
        dropout: float = 0.1,
        num_heads: int = 4,
        tie_weights: bool = True,
        cutoffs: Sequence[int] | None = None,
        context: int | None = None,
    ) -> None:
        super().__init__()
        check(
            "LanguageModelNet",
            {"kind": one_of("rnn", "lstm", "gru", "transformer")},
            {"kind": kind},
        )
        self.kind = kind
        self.hidden_size = hidden_size
        self.context = context
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        if kind == "transformer":
            nn.init.normal_(self.embedding.weight, std=0.02)  # GPT-2's
        self.dropout = nn.Dropout(dropout)
        self.backbone: nn.Module
        if kind == "transformer":
            self.backbone = TransformerEncoder(
                hidden_size, num_heads, num_layers, 4 * hidden_size, dropout
            )
        else:
            self.backbone = Recurrent(
                kind, hidden_size, hidden_size, num_layers, dropout=dropout if num_layers > 1 else 0
            )
        self.head: nn.Module
        if cutoffs:
            # each cluster's projection half as wide as the one before (4 times left the rare
            # characters a tail of 12 dimensions at H=192, scoring them worse than a bigram)
            div = 2.0 if hidden_size >= 2 ** len(cutoffs) else 1.0
            self.head = nn.AdaptiveLogSoftmaxWithLoss(
                hidden_size, vocab_size, list(cutoffs), div_value=div
            )
        else:
            self.head = nn.Linear(hidden_size, vocab_size)
            if tie_weights:
                self.head.weight = self.embedding.weight  # one (V, H) matrix in and out

    @property
    def tied(self) -> bool:
        return isinstance(self.head, nn.Linear) and self.head.weight is self.embedding.weight

    def forward(
        self, ids: Tensor, lengths: Tensor | None = None, state: LMState | None = None
    ) -> tuple[Tensor, LMState]:
        if self.kind == "transformer":
            return self._attend(ids, state)
        x = self.dropout(self.embedding(ids))  # (N, L, H)
        h, recurrent = self.backbone(x, None if state is None else state.recurrent, lengths=lengths)
        if h.shape[1] < ids.shape[1]:  # with lengths, the output stops at the longest
            h = nn.functional.pad(h, (0, 0, 0, ids.shape[1] - h.shape[1]))
        return self.dropout(h), LMState(recurrent)  # (N, L, H)

    def _attend(self, ids: Tensor, state: LMState | None) -> tuple[Tensor, LMState]:
        """The Transformer's forward: ``ids`` read after the cached steps of ``state``,
        starting again from the last ``context // 2`` tokens when they would pass
        ``context``; ``ids`` longer than ``context`` (a long prompt) are read from their last
        ``context``, whose hidden states are returned."""
        if state is not None and state.offset and not state.caches:
            raise ConfigError(
                "state of LanguageModelNet must hold its caches past step 0; got none "
                f"at offset {state.offset}. Start from state=None.",
                param="state",
            )
        past = 0 if state is None else state.offset
        length = ids.shape[1]
        if self.context is not None and past + length > self.context:
            seen = (
                ids if state is None or state.tokens is None else torch.cat([state.tokens, ids], 1)
            )
            keep = min(max(self.context // 2, length), self.context)  # a longer read: its end
            hidden, new = self._attend(seen[:, -keep:], None)
            return hidden[:, -min(length, keep) :], new
        if state is None or not state.caches:
            state = LMState(caches=[KVCache() for _ in self.backbone.layers])  # type: ignore[union-attr]
        pe = sinusoidal_positional_encoding(past + length, self.hidden_size)
        x = self.embedding(ids) * self.hidden_size**0.5 + pe[past:].to(ids.device)
        h = self.backbone(self.dropout(x), causal=True, caches=state.caches)
        tokens = ids if state.tokens is None else torch.cat([state.tokens, ids], 1)
        return self.dropout(h), LMState(caches=state.caches, offset=past + length, tokens=tokens)

    def step(
        self, tokens: Tensor, state: LMState, return_weights: bool = False
    ) -> tuple[Tensor, LMState, None]:
        """One decoding step (the interface of :mod:`seqlab.tasks.search`): ``tokens`` (R,)
        read after ``state``; the next log-probabilities (R, V) and the new state. A language
        model attends to no source, so there are no weights to return."""
        hidden, state = self(tokens[:, None], state=state)
        return self.log_probs(hidden[:, -1]), state, None

    def log_probs(self, hidden: Tensor) -> Tensor:
        """(..., H) hidden states → (..., V) next-token log-probabilities."""
        if isinstance(self.head, nn.AdaptiveLogSoftmaxWithLoss):
            with _full_precision(hidden):  # torch's adaptive head mixes dtypes under autocast
                flat = self.head.log_prob(hidden.float().reshape(-1, hidden.shape[-1]))
            return flat.view(*hidden.shape[:-1], -1)
        return self.head(hidden).log_softmax(-1)

    def loss(self, hidden: Tensor, targets: Tensor) -> Tensor:
        """Mean cross-entropy (nats) of (N, L, H) hidden states against (N, L) targets,
        :data:`~seqlab.data.batches.IGNORE` left out; 0 for a chunk with no target."""
        keep = targets != IGNORE
        if isinstance(self.head, nn.AdaptiveLogSoftmaxWithLoss):
            if not keep.any():
                return hidden.sum() * 0.0
            with _full_precision(hidden):
                return self.head(hidden[keep].float(), targets[keep]).loss
        total = nn.functional.cross_entropy(
            self.head(hidden).transpose(1, 2), targets, ignore_index=IGNORE, reduction="sum"
        )
        return total / keep.sum().clamp(min=1)  # no host sync


def _full_precision(t: Tensor) -> torch.autocast:
    """Autocast off on ``t``'s device: the adaptive softmax copies bf16 cluster scores into a
    float32 output, which torch refuses ("expected to have the same dtype")."""
    return torch.autocast(t.device.type, enabled=False)
