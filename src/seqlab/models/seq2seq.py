r"""Encoder–decoder networks: a recurrent encoder and decoder with attention, and the
Transformer's encoder–decoder.

The recurrent model is Luong et al.'s [2]: the encoder reads the source (optionally in both
directions); its last states, through a ``bridge``, start the decoder; at step t the decoder
reads the previous target token and its previous attentional vector (input feeding), and

.. math::
    s_t = \mathrm{RNN}([e(y_{t-1}); \tilde h_{t-1}], s_{t-1}), \quad
    \alpha_{t} = \mathrm{softmax}_j\, \mathrm{score}(s_t, m_j), \quad
    c_t = \sum_j \alpha_{tj} m_j, \quad
    \tilde h_t = \tanh(W_c [s_t; c_t]), \quad
    p(y_t) = \mathrm{softmax}(W_o \tilde h_t)

with the score additive, v_aᵀ tanh(W_q s + W_k k_j) (Bahdanau et al. [1]), or
multiplicative, sᵀk_j / √H ("dot") or sᵀ W_a k_j / √H ("general") [2]. The memory m_j is the
encoder's output at source step j, projected to the decoder's width. ``attention="none"`` is
the baseline without attention (Cho et al. [3]): c_t is the same summary of the whole source
at every step.

The keys k_j: with a one-way encoder, m_j. With a bidirectional one, the step's surroundings,
the forward state before it and the backward state after it, projected as m is:
k_j = tanh(W_m [→h_{j-1}; ←h_{j+1}]). Scored on m_j itself, the decoder learns to look one
step early (or late): s_t has just read y_{t-1}, whose own source step is the easiest to find,
and that step's backward state still carries the next source token, so the model translates
from there — on a copying task the largest weight fell on the step before the copied one in
46 % of steps (additive score). A step's surroundings hold the token the decoder has just
written on one side and not the step's own token: the step found is the one to translate
(tests/models/test_seq2seq_attention.py).

The Transformer is [4]'s: sinusoidal positions, encoder self-attention with the source's
padding masked, decoder causal self-attention, cross-attention over the encoder's memory.

Both follow one decoding interface: :meth:`start` encodes a batch of sources and returns a
state; :meth:`step` feeds one token per row and returns the next log-probabilities, the new
state and (on request) the attention weights over the source; ``state.select(rows)`` reorders
or repeats rows (a beam's hypotheses). Training runs :meth:`forward` with teacher forcing: the
gold previous token is fed, or with probability 1 − ``teacher_forcing`` the model's own
prediction (scheduled sampling [5]; for the Transformer in two passes [6]).

.. [1] Bahdanau, Cho & Bengio (2015). Neural Machine Translation by Jointly Learning to Align
       and Translate. ICLR. arXiv:1409.0473.
.. [2] Luong, Pham & Manning (2015). Effective Approaches to Attention-based Neural Machine
       Translation. EMNLP. arXiv:1508.04025.
.. [3] Cho et al. (2014). Learning Phrase Representations using RNN Encoder-Decoder for
       Statistical Machine Translation. EMNLP. arXiv:1406.1078.
.. [4] Vaswani et al. (2017). Attention Is All You Need. NeurIPS. arXiv:1706.03762.
.. [5] Bengio et al. (2015). Scheduled Sampling for Sequence Prediction with Recurrent Neural
       Networks. NeurIPS. arXiv:1506.03099.
.. [6] Mihaylova & Martins (2019). Scheduled Sampling for Transformers. ACL SRW.
       arXiv:1906.07651.

where:
    N  batch    S  source length    T  target length    V  target vocabulary
    E  embedding size    H  hidden size (d_model)    D  encoder directions
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import cast

import torch
from torch import Tensor, nn

from seqlab.data.batches import IGNORE
from seqlab.data.tokens import PAD_ID
from seqlab.errors import check, one_of
from seqlab.nn import (
    Attention,
    KVCache,
    Recurrent,
    TransformerDecoder,
    TransformerEncoder,
    sinusoidal_positional_encoding,
)
from seqlab.nn.recurrent import State
from seqlab.nn.state import select_caches, select_recurrent, select_rows

__all__ = ["ATTENTIONS", "RecurrentSeq2Seq", "Seq2SeqState", "TransformerSeq2Seq"]

ATTENTIONS = ("additive", "dot", "general", "none")


@dataclass
class Seq2SeqState:
    """What decoding carries from step to step, per row: the encoder's memory (N, S, H) and
    its mask (N, S) (True at real source tokens), the attention's precomputed keys, and the
    decoder's own state — the recurrent state and the last attentional vector, or the
    Transformer's self-attention caches and the step count."""

    memory: Tensor
    mask: Tensor
    keys: Tensor | None = None
    summary: Tensor | None = None  # (N, H): the context of the model without attention
    recurrent: State | None = None
    feed: Tensor | None = None  # (N, H): h̃_{t-1}, fed back with the next token
    caches: list[KVCache] = field(default_factory=list)
    offset: int = 0

    def select(self, rows: Tensor) -> Seq2SeqState:
        """The state of ``rows`` (M,) long, in that order (repeats allowed)."""
        return replace(
            self,
            memory=self.memory.index_select(0, rows),
            mask=self.mask.index_select(0, rows),
            keys=select_rows(self.keys, rows),
            summary=select_rows(self.summary, rows),
            recurrent=select_recurrent(self.recurrent, rows),
            feed=select_rows(self.feed, rows),
            caches=select_caches(self.caches, rows),
        )


def _mix(gold: Tensor, predicted: Tensor, ratio: float, keep: Tensor | None = None) -> Tensor:
    """Teacher forcing at ``ratio``: each entry of ``gold`` stays with that probability, else
    the model's ``predicted`` token replaces it; ``keep`` (bool) marks entries never replaced."""
    if ratio >= 1.0:
        return gold
    use_gold = torch.rand(gold.shape, device=gold.device) < ratio
    if keep is not None:
        use_gold |= keep
    return torch.where(use_gold, gold, predicted)


def smoothed_loss(logits: Tensor, targets: Tensor, smoothing: float) -> Tensor:
    """Mean cross-entropy per target token of (N, T, V) logits against (N, T) targets, the
    targets smoothed by ``smoothing`` (Szegedy et al. 2016) and
    :data:`~seqlab.data.batches.IGNORE` (padding) left out."""
    total = nn.functional.cross_entropy(
        logits.transpose(1, 2),
        targets,
        ignore_index=IGNORE,
        label_smoothing=smoothing,
        reduction="sum",
    )
    return total / (targets != IGNORE).sum().clamp(min=1)


class RecurrentSeq2Seq(nn.Module):
    """A recurrent encoder–decoder with attention (see the module docstring).

    ``forward(source (N, S), source_lengths (N,), target_in (N, T))`` → logits (N, T, V):
    ``target_in`` begins with the begin-of-sequence id and holds the gold tokens after it.

    Example:
        >>> net = RecurrentSeq2Seq(20, 30, "gru", "general", embedding_dim=8, hidden_size=16)
        >>> src, lengths = torch.randint(2, 20, (3, 7)), torch.tensor([7, 5, 2])
        >>> net(src, lengths, torch.randint(2, 30, (3, 4))).shape
        torch.Size([3, 4, 30])
    """

    def __init__(
        self,
        source_vocab: int,
        target_vocab: int,
        kind: str = "gru",
        attention: str = "general",
        embedding_dim: int = 128,
        hidden_size: int = 256,
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.2,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        check(
            "RecurrentSeq2Seq",
            {"kind": one_of("rnn", "lstm", "gru"), "attention": one_of(*ATTENTIONS)},
            {"kind": kind, "attention": attention},
        )
        self.kind = kind
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        self.label_smoothing = label_smoothing
        self.teacher_forcing = 1.0  # set per epoch by the task (scheduled sampling)
        between = dropout if num_layers > 1 else 0.0
        directions = 2 if bidirectional else 1
        self.source_embedding = nn.Embedding(source_vocab, embedding_dim, padding_idx=PAD_ID)
        self.encoder = Recurrent(
            kind, embedding_dim, hidden_size, num_layers, bidirectional, between
        )
        self.project = nn.Linear(directions * hidden_size, hidden_size)  # m_j, to width H
        # the decoder's first state per layer, from the encoder's last (both directions)
        self.bridge = nn.Linear(directions * hidden_size, hidden_size)
        self.target_embedding = nn.Embedding(target_vocab, embedding_dim, padding_idx=PAD_ID)
        self.decoder = Recurrent(
            kind, embedding_dim + hidden_size, hidden_size, num_layers, dropout=between
        )
        self.attention = None if attention == "none" else Attention(attention, hidden_size)
        self.combine = nn.Linear(2 * hidden_size, hidden_size)  # W_c
        self.out = nn.Linear(hidden_size, target_vocab)  # W_o
        self.dropout = nn.Dropout(dropout)

    def start(self, source: Tensor, source_lengths: Tensor) -> Seq2SeqState:
        """Encode (N, S) source ids of true (N,) lengths; the decoder's first state."""
        x = self.dropout(self.source_embedding(source))  # (N, S, E)
        out, last = self.encoder(x, lengths=source_lengths)  # (N, S', D*H)
        mask = torch.arange(out.shape[1])[None] < source_lengths[:, None]  # (N, S')
        memory = torch.tanh(self.project(out))  # (N, S', H)
        keys = memory
        if self.attention is not None and self.encoder.bidirectional:
            h = self.hidden_size  # outputs past each length are zero: so is ←h_{len}
            before = nn.functional.pad(out[:, :-1, :h], (0, 0, 1, 0))  # →h_{j-1}, 0 at j=0
            after = nn.functional.pad(out[:, 1:, h:], (0, 0, 0, 1))  # ←h_{j+1}
            keys = torch.tanh(self.project(torch.cat([before, after], -1)))  # (N, S', H)
        final = last[0] if isinstance(last, tuple) else last  # (D*layers, N, H)
        n = source.shape[0]
        per_layer = final.view(self.num_layers, -1, n, self.hidden_size)  # (layers, D, N, H)
        joined = per_layer.permute(0, 2, 1, 3).reshape(self.num_layers, n, -1)  # (layers, N, D*H)
        s0 = torch.tanh(self.bridge(joined))  # (layers, N, H)
        recurrent: State = (s0, torch.zeros_like(s0)) if self.kind == "lstm" else s0
        return Seq2SeqState(
            memory=memory,
            mask=mask.to(memory.device),
            keys=None if self.attention is None else self.attention.keys(keys),
            summary=s0[-1] if self.attention is None else None,
            recurrent=recurrent,
            feed=torch.zeros(n, self.hidden_size, device=memory.device),
        )

    def _step(
        self, token: Tensor, state: Seq2SeqState
    ) -> tuple[Tensor, Seq2SeqState, Tensor | None]:
        """One decoder step: (N,) previous tokens → (N, V) logits, the new state, the (N, S)
        attention weights (None without attention)."""
        e = self.dropout(self.target_embedding(token))  # (N, E)
        feed = cast(Tensor, state.feed)
        x = torch.cat([e, feed], -1)[:, None]  # (N, 1, E + H): input feeding
        out, recurrent = self.decoder(x, state.recurrent)
        s = out[:, 0]  # (N, H)
        weights = None
        if self.attention is None:
            context = cast(Tensor, state.summary)
        else:
            context, weights = self.attention(s, state.keys, state.memory, state.mask)
        h_tilde = torch.tanh(self.combine(torch.cat([s, context], -1)))  # (N, H)
        logits = self.out(self.dropout(h_tilde))  # (N, V)
        return logits, replace(state, recurrent=recurrent, feed=h_tilde), weights

    def step(
        self, token: Tensor, state: Seq2SeqState, return_weights: bool = False
    ) -> tuple[Tensor, Seq2SeqState, Tensor | None]:
        """(N,) previous tokens → (N, V) log-probabilities, the state, and when asked the
        (N, S) attention weights (None without attention)."""
        logits, state, weights = self._step(token, state)
        return logits.log_softmax(-1), state, weights if return_weights else None

    def forward(self, source: Tensor, source_lengths: Tensor, target_in: Tensor) -> Tensor:
        state = self.start(source, source_lengths)
        token, outs = target_in[:, 0], []
        for t in range(target_in.shape[1]):
            logits, state, _ = self._step(token, state)
            outs.append(logits)
            if t + 1 < target_in.shape[1]:
                gold = target_in[:, t + 1]
                ratio = self.teacher_forcing if self.training else 1.0
                token = _mix(gold, logits.detach().argmax(-1), ratio, gold == PAD_ID)
        return torch.stack(outs, 1)  # (N, T, V)

    def loss(self, logits: Tensor, targets: Tensor) -> Tensor:
        return smoothed_loss(logits, targets, self.label_smoothing)


class TransformerSeq2Seq(nn.Module):
    """The Transformer encoder–decoder of [4] from :mod:`seqlab.nn` (pre-norm), the target
    embedding tied to the output layer.

    Example:
        >>> net = TransformerSeq2Seq(20, 30, hidden_size=16, num_heads=2, num_layers=1)
        >>> src, lengths = torch.randint(2, 20, (3, 7)), torch.tensor([7, 5, 2])
        >>> net(src, lengths, torch.randint(2, 30, (3, 4))).shape
        torch.Size([3, 4, 30])
    """

    def __init__(
        self,
        source_vocab: int,
        target_vocab: int,
        hidden_size: int = 256,
        num_heads: int = 4,
        num_layers: int = 3,
        dropout: float = 0.1,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.label_smoothing = label_smoothing
        self.teacher_forcing = 1.0
        self.source_embedding = nn.Embedding(source_vocab, hidden_size, padding_idx=PAD_ID)
        self.target_embedding = nn.Embedding(target_vocab, hidden_size, padding_idx=PAD_ID)
        ff = 4 * hidden_size
        self.encoder = TransformerEncoder(hidden_size, num_heads, num_layers, ff, dropout)
        self.decoder = TransformerDecoder(hidden_size, num_heads, num_layers, ff, dropout)
        self.out = nn.Linear(hidden_size, target_vocab)
        self.out.weight = self.target_embedding.weight  # one (V, H) matrix in and out
        self.dropout = nn.Dropout(dropout)
        for table in (self.source_embedding, self.target_embedding):
            # std H^-1/2, so that the embedding times √H has unit scale, as the positions do,
            # and the tied output layer starts with logits of unit scale (fairseq's choice)
            nn.init.normal_(table.weight, std=hidden_size**-0.5)
            nn.init.zeros_(table.weight[PAD_ID])

    def _embed(self, embedding: nn.Embedding, ids: Tensor, offset: int = 0) -> Tensor:
        pe = sinusoidal_positional_encoding(offset + ids.shape[1], self.hidden_size)
        x = embedding(ids) * math.sqrt(self.hidden_size) + pe[offset:].to(ids.device)
        return self.dropout(x)  # (N, L, H)

    def start(self, source: Tensor, source_lengths: Tensor) -> Seq2SeqState:
        mask = torch.arange(source.shape[1])[None] < source_lengths[:, None]  # (N, S)
        mask = mask.to(source.device)
        memory = self.encoder(self._embed(self.source_embedding, source), key_padding_mask=~mask)
        return Seq2SeqState(memory, mask, caches=[KVCache() for _ in range(self.num_layers)])

    def step(
        self, token: Tensor, state: Seq2SeqState, return_weights: bool = False
    ) -> tuple[Tensor, Seq2SeqState, Tensor | None]:
        """One target step through the self-attention caches; the weights are the last
        layer's cross-attention, averaged over the heads."""
        caches = [KVCache(c.keys, c.values) for c in state.caches]  # a beam may share them
        x = self._embed(self.target_embedding, token[:, None], state.offset)
        out = self.decoder(
            x,
            state.memory,
            memory_key_padding_mask=~state.mask,
            caches=caches,
            return_weights=return_weights,
        )
        weights = None
        if isinstance(out, tuple):
            out, layers = out
            weights = layers[-1]["cross"].mean(1)[:, 0]  # (N, S)
        logp = self.out(out[:, 0]).log_softmax(-1)
        return logp, replace(state, caches=caches, offset=state.offset + 1), weights

    def _decode(self, state: Seq2SeqState, target_in: Tensor) -> Tensor:
        pad = target_in == PAD_ID
        h = self.decoder(
            self._embed(self.target_embedding, target_in),
            state.memory,
            key_padding_mask=pad,
            memory_key_padding_mask=~state.mask,
        )
        return self.out(h)  # (N, T, V)

    def forward(self, source: Tensor, source_lengths: Tensor, target_in: Tensor) -> Tensor:
        state = self.start(source, source_lengths)
        logits = self._decode(state, target_in)
        ratio = self.teacher_forcing if self.training else 1.0
        if ratio < 1.0:  # the second pass reads a mix of gold and first-pass predictions [6]
            predicted = logits.detach().argmax(-1)  # (N, T): the prediction for step t+1
            mixed = target_in.clone()
            mixed[:, 1:] = _mix(
                target_in[:, 1:], predicted[:, :-1], ratio, target_in[:, 1:] == PAD_ID
            )
            logits = self._decode(state, mixed)
        return logits

    def loss(self, logits: Tensor, targets: Tensor) -> Tensor:
        return smoothed_loss(logits, targets, self.label_smoothing)
