"""Reordering what a stack carries from one step to the next.

Decoding keeps several rows per input (a beam's hypotheses) and, after every step, picks
the rows that live on, in a new order and with repeats. Every state a stack of this package
carries is reordered here, once: the recurrent state (h, or (h, c) for an LSTM; batch on
dimension 1) and the self-attention caches (keys and values; batch on dimension 0).

where:
    N  rows before    M  rows after (``rows`` (M,) long, indices into the N)
"""

from __future__ import annotations

from torch import Tensor

from seqlab.nn.attention import KVCache
from seqlab.nn.recurrent import State

__all__ = ["select_caches", "select_recurrent", "select_rows"]


def select_rows(x: Tensor | None, rows: Tensor, dim: int = 0) -> Tensor | None:
    """``x``'s entries ``rows`` along ``dim`` (the batch), or None for None."""
    return None if x is None else x.index_select(dim, rows.to(x.device))


def select_recurrent(state: State | None, rows: Tensor) -> State | None:
    """A recurrent state's ``rows``: h (D·num_layers, N, H) → (D·num_layers, M, H), and c
    alike for an LSTM's (h, c).

    Example:
        >>> import torch
        >>> h = torch.arange(6.0).view(1, 3, 2)
        >>> select_recurrent(h, torch.tensor([2, 2, 0]))[0].tolist()
        [[4.0, 5.0], [4.0, 5.0], [0.0, 1.0]]
    """
    if isinstance(state, tuple):
        h, c = state
        return (h.index_select(1, rows.to(h.device)), c.index_select(1, rows.to(c.device)))
    return select_rows(state, rows, 1)


def select_caches(caches: list[KVCache], rows: Tensor) -> list[KVCache]:
    """Each layer's keys and values (N, h, S, d_k) → (M, h, S, d_k); an empty cache stays
    empty."""
    return [KVCache(select_rows(c.keys, rows), select_rows(c.values, rows)) for c in caches]
