"""Batched decoding for encoder–decoder models: greedy, and beam search with GNMT's length
penalty and n-best output.

Both run a whole batch of sources at once through the model's decoding interface
(:mod:`seqlab.models.seq2seq`): ``model.step(tokens (R,), state, return_weights)`` →
(log-probabilities (R, V), state, attention (R, S) or None), ``state.select(rows)``. Beam
search keeps B hypotheses per source in one (N·B)-row batch: each step scores every
extension of every hypothesis, keeps the best 2·B per source, sets aside those that end (at
most B of them), and continues with the best B that do not — so a source never runs short of
live hypotheses while its finished ones are collected.

.. [1] Wu et al. (2016). Google's Neural Machine Translation System. arXiv:1609.08144.
       (The length penalty lp(Y) = ((5 + |Y|) / 6)^α, eq. (14).)

where:
    N  sources    B  beams    V  target vocabulary    S  source length    T  steps
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from seqlab.data.batches import pad_batch
from seqlab.tasks.lm.decoding import length_penalty

__all__ = ["Hypothesis", "beam_search", "decode_batches", "greedy_search"]


@dataclass
class Hypothesis:
    """One output: its token ids (the end token left out), its log-probability, its score
    (log-probability over the length penalty; the log-probability itself for greedy), and
    with ``return_weights`` the attention weights (one row per emitted token, the end token's
    included; (T, S) over the source's real tokens)."""

    tokens: list[int]
    log_prob: float
    score: float
    attention: Tensor | None = None


def _ban(logp: Tensor, banned: Sequence[int]) -> Tensor:
    if banned:
        logp[:, list(banned)] = -math.inf
    return logp


def _weights(history: list[Tensor], row: int, steps: int, length: int) -> Tensor:
    return torch.stack([w[row] for w in history[:steps]])[:, :length].cpu()


@torch.no_grad()
def greedy_search(
    model: Any,
    state: Any,
    lengths: Sequence[int],
    bos: int,
    eos: int,
    max_len: int,
    banned: Sequence[int] = (),
    return_weights: bool = False,
) -> list[Hypothesis]:
    """The most probable token at every step, for each of the N sources of ``state``
    (``lengths``: their true source lengths), until the end token or ``max_len`` tokens."""
    n = len(lengths)
    device = state.memory.device
    token = torch.full((n,), bos, dtype=torch.long, device=device)
    done = torch.zeros(n, dtype=torch.bool, device=device)
    total = torch.zeros(n, device=device)
    picked, history = [], []
    for _ in range(max_len):
        logp, state, w = model.step(token, state, return_weights)
        logp = _ban(logp, banned)
        best = logp.argmax(-1)
        gained = logp.gather(1, best[:, None])[:, 0]
        best = torch.where(done, torch.full_like(best, eos), best)
        total += torch.where(done, torch.zeros_like(gained), gained)
        picked.append(best)
        if w is not None:
            history.append(w)
        done |= best == eos
        if bool(done.all()):
            break
        token = best
    ids = torch.stack(picked, 1).tolist()  # (N, T)
    out = []
    for i, row in enumerate(ids):
        steps = row.index(eos) + 1 if eos in row else len(row)
        tokens = row[: steps - 1] if eos in row else row
        weights = _weights(history, i, steps, lengths[i]) if history else None
        out.append(Hypothesis(tokens, float(total[i]), float(total[i]), weights))
    return out


@torch.no_grad()
def beam_search(
    model: Any,
    state: Any,
    lengths: Sequence[int],
    bos: int,
    eos: int,
    max_len: int,
    beams: int = 5,
    alpha: float = 0.6,
    n_best: int = 1,
    banned: Sequence[int] = (),
    return_weights: bool = False,
) -> list[list[Hypothesis]]:
    """The ``n_best`` (≤ ``beams``) best outputs of each of the N sources of ``state``, by
    log-probability over GNMT's length penalty [1] (``alpha`` 0: none); a source stops once
    ``beams`` of its hypotheses have ended, and every source after ``max_len`` tokens."""
    n, k = len(lengths), beams
    device = state.memory.device
    state = state.select(torch.arange(n, device=device).repeat_interleave(k))  # (N·B) rows
    scores = torch.full((n, k), -math.inf, device=device)
    scores[:, 0] = 0.0  # one live hypothesis per source to begin with
    token = torch.full((n * k,), bos, dtype=torch.long, device=device)
    prefix = torch.zeros(n * k, 0, dtype=torch.long, device=device)
    history = torch.zeros(n * k, 0, state.memory.shape[1], device=device)
    finished: list[list[Hypothesis]] = [[] for _ in range(n)]
    done = [False] * n
    offsets = torch.arange(n, device=device)[:, None] * k  # (N, 1)
    for t in range(max_len):
        logp, state, w = model.step(token, state, return_weights)
        logp = _ban(logp, banned)
        vocab = logp.shape[1]
        total = (scores.view(-1, 1) + logp).view(n, k * vocab)  # (N, B·V)
        top, index = total.topk(min(2 * k, k * vocab), dim=1)  # (N, 2B)
        parent, chosen = index // vocab, index % vocab
        ends = (chosen == eos) & torch.isfinite(top)
        ends[:, k:] = False  # an end counts only among the best B
        for i, j in ends.nonzero().tolist():
            if done[i]:
                continue
            row = int(offsets[i, 0] + parent[i, j])
            weights = None
            if w is not None:
                rows = torch.cat([history[row], w[row][None]])  # (t + 1, S)
                weights = rows[:, : lengths[i]].cpu()
            lp = float(top[i, j])
            finished[i].append(
                Hypothesis(prefix[row].tolist(), lp, lp / length_penalty(t + 1, alpha), weights)
            )
        for i in range(n):
            done[i] = done[i] or len(finished[i]) >= k
        if all(done):
            break
        # continue with the best B extensions that do not end
        live = (chosen != eos) & (torch.cumsum((chosen != eos).long(), 1) <= k)  # B per row
        parent, chosen, top = (x[live].view(n, k) for x in (parent, chosen, top))
        rows = (offsets + parent).flatten()  # (N·B) parent rows
        prefix = torch.cat([prefix[rows], chosen.flatten()[:, None]], 1)
        if w is not None:
            history = torch.cat([history[rows], w[rows][:, None]], 1)
        state = state.select(rows)
        scores, token = top, chosen.flatten()
    steps = prefix.shape[1]
    for i in range(n):
        if done[i]:
            continue
        for j in range(k):  # the live hypotheses, cut at max_len
            lp, row = float(scores[i, j]), i * k + j
            if math.isfinite(lp):
                attended = return_weights and history.shape[1] == steps > 0
                weights = history[row][:, : lengths[i]].cpu() if attended else None
                score = lp / length_penalty(steps, alpha)
                finished[i].append(Hypothesis(prefix[row].tolist(), lp, score, weights))
    return [sorted(f, key=lambda h: -h.score)[:n_best] for f in finished]


def decode_batches(
    model: Any,
    sources: Sequence[Sequence[int]],
    bos: int,
    eos: int,
    max_len: Callable[[int], int],
    beams: int,
    n_best: int,
    alpha: float,
    banned: Sequence[int],
    return_weights: bool,
    device: torch.device,
    batch_size: int,
) -> list[list[Hypothesis]]:
    """The outputs of each source (token ids), greedy (``beams`` 1) or by beam search, in
    batches of ``batch_size`` sources of similar length; ``max_len(longest source of the
    batch)`` bounds a batch's outputs. An empty source gives one empty output."""
    out: list[list[Hypothesis]] = [[Hypothesis([], 0.0, 0.0)] for _ in sources]
    order = sorted((i for i in range(len(sources)) if sources[i]), key=lambda i: len(sources[i]))
    for b in range(0, len(order), batch_size):
        rows = order[b : b + batch_size]
        source, lengths = pad_batch([sources[i] for i in rows])
        state = model.start(source.to(device), lengths)
        limit, true = max_len(int(lengths.max())), lengths.tolist()
        if beams == 1:
            greedy = greedy_search(model, state, true, bos, eos, limit, banned, return_weights)
            found = [[h] for h in greedy]
        else:
            found = beam_search(
                model, state, true, bos, eos, limit, beams, alpha, n_best, banned, return_weights
            )
        for i, hyps in zip(rows, found, strict=True):
            out[i] = hyps
    return out
