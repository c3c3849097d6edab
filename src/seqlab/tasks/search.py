"""Decoding by search, for every task that emits tokens: batched greedy search, and beam
search with GNMT's length penalty, n-best output and per-step masks.

One interface serves the encoder–decoders (:mod:`seqlab.models.seq2seq`) and the language
models (:mod:`seqlab.models.lm`): ``model.step(tokens (R,), state, return_weights)`` →
(log-probabilities (R, V), state, attention (R, S) or None), and ``state.select(rows)``
(:mod:`seqlab.nn.state`). Beam search keeps B hypotheses per input in one (N·B)-row batch:
each step scores every extension of every hypothesis, keeps the best 2·B per input, sets
aside those that end (at most B of them), and continues with the best B that do not — so an
input never runs short of live hypotheses while its finished ones are collected. ``masks``
narrow what each step may emit: a language model's poem form (a Chinese character here, a
comma there) is a mask per position, so every hypothesis has the form by construction.

.. [1] Wu et al. (2016). Google's Neural Machine Translation System. arXiv:1609.08144.
       (The length penalty lp(Y) = ((5 + |Y|) / 6)^α, eq. (14).)

where:
    N  inputs    B  beams    V  target vocabulary    S  source length    T  steps
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor

from seqlab.data.batches import pad_batch

__all__ = ["Hypothesis", "beam_search", "decode_batches", "greedy_search", "length_penalty"]


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


def length_penalty(length: int, alpha: float) -> float:
    """GNMT's lp(Y) = ((5 + |Y|) / 6)^α [1]: a hypothesis' log-probability is divided by it,
    so that longer outputs are not lost for being longer."""
    return ((5 + length) / 6) ** alpha


def _allowed(logp: Tensor, t: int, banned: Sequence[int], masks: Sequence[Tensor]) -> Tensor:
    """``logp`` (R, V) with the tokens step ``t`` may not emit at -inf: the ``banned`` ones,
    and those outside ``masks[t]`` (V,) bool when there is one."""
    if banned:
        logp[:, list(banned)] = -math.inf
    if t < len(masks):
        logp = logp.masked_fill(~masks[t].to(logp.device), -math.inf)
    return logp


def _weights(history: list[Tensor], row: int, steps: int, length: int) -> Tensor:
    return torch.stack([w[row] for w in history[:steps]])[:, :length].cpu()


@torch.no_grad()
def greedy_search(
    model: Any,
    state: Any,
    *,
    lengths: Sequence[int],
    bos: int,
    eos: int,
    max_len: int,
    banned: Sequence[int] = (),
    masks: Sequence[Tensor] = (),
    return_weights: bool = False,
    device: torch.device | str = "cpu",
) -> list[Hypothesis]:
    """The most probable token at every step, for each of the N rows of ``state``
    (``lengths``: their true source lengths, 0 where there is none), until the end token or
    ``max_len`` tokens. ``bos`` is the token fed first."""
    n = len(lengths)
    token = torch.full((n,), bos, dtype=torch.long, device=device)
    done = torch.zeros(n, dtype=torch.bool, device=device)
    total = torch.zeros(n, device=device)
    picked, history = [], []
    for t in range(max_len):
        logp, state, w = model.step(token, state, return_weights)
        logp = _allowed(logp, t, banned, masks)
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
    *,
    lengths: Sequence[int],
    bos: int,
    eos: int,
    max_len: int,
    beams: int = 5,
    alpha: float = 0.6,
    n_best: int = 1,
    banned: Sequence[int] = (),
    masks: Sequence[Tensor] = (),
    return_weights: bool = False,
    device: torch.device | str = "cpu",
) -> list[list[Hypothesis]]:
    """The ``n_best`` (≤ ``beams``) best outputs of each of the N rows of ``state`` (see
    :func:`greedy_search`), by log-probability over GNMT's length penalty [1] (``alpha`` 0:
    none); step t emits only what ``masks[t]`` (V,) allows, when given. An input stops once
    ``beams`` of its hypotheses have ended, and every input after ``max_len`` tokens."""
    n, k = len(lengths), beams
    state = state.select(torch.arange(n, device=device).repeat_interleave(k))  # (N·B) rows
    scores = torch.full((n, k), -math.inf, device=device)
    scores[:, 0] = 0.0  # one live hypothesis per input to begin with
    token = torch.full((n * k,), bos, dtype=torch.long, device=device)
    prefix = torch.zeros(n * k, 0, dtype=torch.long, device=device)
    history: Tensor | None = None  # (N·B, t, S): the attention of each live hypothesis
    finished: list[list[Hypothesis]] = [[] for _ in range(n)]
    done = [False] * n
    offsets = torch.arange(n, device=device)[:, None] * k  # (N, 1)
    for t in range(max_len):
        logp, state, w = model.step(token, state, return_weights)
        logp = _allowed(logp, t, banned, masks)
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
                past = [] if history is None else [history[row]]
                weights = torch.cat([*past, w[row][None]])[:, : lengths[i]].cpu()  # (t+1, S)
            lp = float(top[i, j])
            finished[i].append(
                Hypothesis(prefix[row].tolist(), lp, lp / length_penalty(t + 1, alpha), weights)
            )
        for i in range(n):
            done[i] = done[i] or len(finished[i]) >= k
        if all(done):
            break
        # continue with the best B extensions that do not end (-inf where fewer are allowed)
        live = (chosen != eos) & (torch.cumsum((chosen != eos).long(), 1) <= k)  # B per row
        parent, chosen, top = (x[live].view(n, k) for x in (parent, chosen, top))
        rows = (offsets + parent).flatten()  # (N·B) parent rows
        prefix = torch.cat([prefix[rows], chosen.flatten()[:, None]], 1)
        if w is not None:
            past = [] if history is None else [history[rows]]
            history = torch.cat([*past, w[rows][:, None]], 1)
        state = state.select(rows)
        scores, token = top, chosen.flatten()
    steps = prefix.shape[1]
    for i in range(n):
        if done[i]:
            continue
        for j in range(k):  # the live hypotheses, cut at max_len
            lp, row = float(scores[i, j]), i * k + j
            if math.isfinite(lp):
                weights = None
                if return_weights and history is not None and history.shape[1] == steps:
                    weights = history[row][:, : lengths[i]].cpu()
                score = lp / length_penalty(steps, alpha)
                finished[i].append(Hypothesis(prefix[row].tolist(), lp, score, weights))
    return [sorted(f, key=lambda h: -h.score)[:n_best] for f in finished]


def decode_batches(
    model: Any,
    sources: Sequence[Sequence[int]],
    *,
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
    """The outputs of each source (token ids) of an encoder–decoder, greedy (``beams`` 1)
    or by beam search, in batches of ``batch_size`` sources of similar length; ``max_len
    (longest source of the batch)`` bounds a batch's outputs. An empty source gives one
    empty output."""
    out: list[list[Hypothesis]] = [[Hypothesis([], 0.0, 0.0)] for _ in sources]
    order = sorted((i for i in range(len(sources)) if sources[i]), key=lambda i: len(sources[i]))
    for b in range(0, len(order), batch_size):
        rows = order[b : b + batch_size]
        source, lengths = pad_batch([sources[i] for i in rows])
        state = model.start(source.to(device), lengths)
        true, limit = lengths.tolist(), max_len(int(lengths.max()))
        if beams == 1:
            greedy = greedy_search(
                model,
                state,
                lengths=true,
                bos=bos,
                eos=eos,
                max_len=limit,
                banned=banned,
                return_weights=return_weights,
                device=device,
            )
            found = [[h] for h in greedy]
        else:
            found = beam_search(
                model,
                state,
                lengths=true,
                bos=bos,
                eos=eos,
                max_len=limit,
                beams=beams,
                alpha=alpha,
                n_best=n_best,
                banned=banned,
                return_weights=return_weights,
                device=device,
            )
        for i, hyps in zip(rows, found, strict=True):
            out[i] = hyps
    return out
