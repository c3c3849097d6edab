"""Padded batches of encoded texts, with true lengths, for the trainer and for prediction.

Texts are lists of token ids of different lengths; a batch pads them on the right to its own
longest text and keeps the true lengths (the ``lengths`` path of :class:`seqlab.nn.Recurrent`).

where:
    N  texts in a batch    L  longest text in the batch    F  features per token
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqlab.data.tokens import PAD_ID

__all__ = ["IGNORE", "EncodedTexts", "PairBatches", "TextBatches", "bucketed_order", "pad_batch"]

IGNORE = -100  # target id of padding: no loss, no score (torch's cross_entropy default)


def pad_batch(sequences: Sequence[Sequence[int]], pad: int = PAD_ID) -> tuple[Tensor, Tensor]:
    """(N, L) ids padded on the right with ``pad``, and the (N,) true lengths.

    Empty sequences get length 1 (one pad token), so recurrent encoders always have a step.

    Example:
        >>> ids, lengths = pad_batch([[5, 6, 7], [8]])
        >>> ids.tolist(), lengths.tolist()
        ([[5, 6, 7], [8, 0, 0]], [3, 1])
    """
    lengths = torch.tensor([max(len(s), 1) for s in sequences], dtype=torch.long)
    ids = _padded(sequences, int(lengths.max()) if len(sequences) else 0, pad)
    return ids, lengths


def _padded(rows: Sequence[Sequence[int]], width: int, pad: int = PAD_ID) -> Tensor:
    """(N, width) int64: each row's values from the left, ``pad`` after (one copy of all
    values, not one tensor per row)."""
    sizes = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    out = np.full((len(rows), width), pad, dtype=np.int64)
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(sizes.sum()))
    out[np.arange(width)[None, :] < sizes[:, None]] = flat  # row by row, left to right
    return torch.from_numpy(out)


def _pad_edges(edges: Sequence[Sequence[int]], length: int) -> Tensor:
    """(N, length + 1) edge ids for a batch padded to ``length`` tokens."""
    return _padded(edges, length + 1)


def _pad_features(features: Sequence[Sequence[int]], length: int, f: int) -> Tensor:
    """(N, length, F) feature ids for a batch padded to ``length`` tokens, from each text's
    flat (L·F) ids."""
    return _padded(features, length * f).view(len(features), length, f)


class EncodedTexts:
    """Encoded texts: token ids, and bigram (edge) and feature ids where a task uses them.

    ``features`` holds per text its L·F ids, token by token (``num_features`` = F).
    """

    def __init__(
        self,
        ids: list[list[int]],
        edges: list[list[int]] | None = None,
        features: list[list[int]] | None = None,
        num_features: int = 0,
    ) -> None:
        self.ids = ids
        self.edges = edges
        self.features = features
        self.num_features = num_features

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: Sequence[int]) -> EncodedTexts:
        return EncodedTexts(
            [self.ids[i] for i in rows],
            [self.edges[i] for i in rows] if self.edges is not None else None,
            [self.features[i] for i in rows] if self.features is not None else None,
            self.num_features,
        )

    def tensors(self, rows: Sequence[int], device: torch.device) -> tuple[Tensor | None, ...]:
        """Model inputs of ``rows``: (ids, lengths, edges or None, features or None); the
        lengths stay on the CPU, where the recurrent layers read them."""
        x, lengths = pad_batch([self.ids[i] for i in rows])
        edges = feats = None
        if self.edges is not None:
            edges = _pad_edges([self.edges[i] for i in rows], x.shape[1]).to(device)
        if self.features is not None:
            feats = _pad_features(
                [self.features[i] for i in rows], x.shape[1], self.num_features
            ).to(device)
        return x.to(device), lengths, edges, feats

    def by_length(self, batch_size: int, tokens: int | None = None) -> list[list[int]]:
        """Rows sorted by length and cut into batches of at most ``batch_size`` rows and, when
        given, ``tokens`` padded tokens (rows x the longest): prediction pads little, and long
        texts go in smaller batches."""
        order = sorted(range(len(self.ids)), key=lambda i: len(self.ids[i]))
        batches: list[list[int]] = [[]]
        for i in order:  # the longest row so far is the one being added
            full = len(batches[-1]) == batch_size
            if full or (tokens and (len(batches[-1]) + 1) * len(self.ids[i]) > tokens):
                batches.append([])
            batches[-1].append(i)
        return [b for b in batches if b]


def bucketed_order(lengths: Tensor, generator: torch.Generator, batch_size: int) -> Tensor:
    """A random order of ``range(len(lengths))`` in which each batch holds items of similar
    length (less padding): shuffle, sort by length within pools of 50 batches, then shuffle
    the batches."""
    order = torch.randperm(len(lengths), generator=generator)
    pools = [p[lengths[p].argsort(stable=True)] for p in order.split(50 * batch_size)]
    batches = torch.cat(pools).split(batch_size)
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return torch.cat([batches[b] for b in shuffled])


class TextBatches:
    """Encoded texts with their targets, as the :class:`~seqlab.train.Trainer` reads them;
    each batch is padded to its own longest text. Targets are one label id per text, or one
    tag id per token (padded with :data:`IGNORE`)."""

    def __init__(self, inputs: EncodedTexts, targets: list[Any], device: torch.device) -> None:
        self.inputs = inputs
        self.targets = targets
        self.device = device

    def __len__(self) -> int:
        return len(self.inputs.ids)

    def order(self, generator: torch.Generator, batch_size: int) -> Tensor:
        """A random order in which each batch holds texts of similar length (see
        :func:`bucketed_order`)."""
        lengths = torch.tensor([len(s) for s in self.inputs.ids])
        return bucketed_order(lengths, generator, batch_size)

    def batch(self, index: Tensor) -> tuple[tuple[Tensor | None, ...], Tensor]:
        rows = index.tolist()
        first = self.targets[rows[0]] if rows else 0
        if isinstance(first, list):  # per-token tags
            y, _ = pad_batch([self.targets[i] for i in rows], pad=IGNORE)
        else:  # one label per text
            y = torch.tensor([self.targets[i] for i in rows])
        return self.inputs.tensors(rows, self.device), y.to(self.device)


class PairBatches:
    """(source, target) id sequences as the :class:`~seqlab.train.Trainer` reads them for an
    encoder–decoder: inputs (source (N, S), source lengths (N,) on the CPU, target_in (N, T):
    ``bos`` then the target), and targets (N, T): the target then ``eos``, padded with
    :data:`IGNORE`. Batches are bucketed by source length."""

    def __init__(
        self,
        sources: list[list[int]],
        targets: list[list[int]],
        bos: int,
        eos: int,
        device: torch.device,
    ) -> None:
        self.sources = sources
        self.targets = targets
        self.bos = bos
        self.eos = eos
        self.device = device

    def __len__(self) -> int:
        return len(self.sources)

    def order(self, generator: torch.Generator, batch_size: int) -> Tensor:
        lengths = torch.tensor([len(s) for s in self.sources])
        return bucketed_order(lengths, generator, batch_size)

    def batch(self, index: Tensor) -> tuple[tuple[Tensor, Tensor, Tensor], Tensor]:
        rows = index.tolist()
        source, lengths = pad_batch([self.sources[i] for i in rows])
        target_in, _ = pad_batch([[self.bos, *self.targets[i]] for i in rows])
        target_out, _ = pad_batch([[*self.targets[i], self.eos] for i in rows], pad=IGNORE)
        d = self.device
        return (source.to(d), lengths, target_in.to(d)), target_out.to(d)
