"""Documents as parallel token streams, for truncated backpropagation through time.

A language model reads each document in chunks of ``chunk`` tokens, in order, its state
carried from one chunk to the next; ``batch_size`` rows read ``batch_size`` documents side by
side. When a row's document ends, the row takes the next document and its state is reset, so
no state crosses a document boundary. Each document starts with the begin-of-text token, so
that its first token is predicted too. In training, a document longer than its share of the
tokens is cut into pieces first (one long text, such as Tiny Shakespeare, then fills every
row); in evaluation every document is read whole. A document may begin with a condition
(a poem's title, read before its text): its first ``skip`` targets are not scored.

where:
    B  rows (documents read side by side)    T  tokens per chunk
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence

import torch
from torch import Tensor

from seqlab.data.batches import IGNORE
from seqlab.data.tokens import PAD_ID

__all__ = ["TokenStreams"]


class TokenStreams:
    """Encoded documents (each a list of ids beginning with the begin-of-text id) read as
    parallel streams: :meth:`stream` yields ``((ids, lengths), targets, reset)`` per chunk.

    ``ids`` and ``targets`` (B, T): the targets are the ids shifted by one, :data:`IGNORE`
    past each row's end; ``lengths`` (B,) the real tokens of each row; ``reset`` (B,) bool,
    True for the rows that begin a document with this chunk. ``skip``: per document, how
    many of its first targets are not scored (its condition). ``pack``: in training, a row
    reads its documents back to back, the state carried from one to the next, instead of one
    per stretch of chunks padded at its end (short documents, poems or reviews, then fill
    every chunk).
    """

    def __init__(
        self,
        documents: Sequence[Sequence[int]],
        chunk: int,
        device: torch.device,
        skip: Sequence[int] | None = None,
        pack: bool = False,
    ):
        skip = [0] * len(documents) if skip is None else list(skip)
        kept = [(list(d), s) for d, s in zip(documents, skip, strict=True) if len(d) > 1 + s]
        self.documents = [d for d, _ in kept]
        self.skip = [s for _, s in kept]
        self.chunk = chunk
        self.device = device
        self.pack = pack

    def __len__(self) -> int:
        """Scored tokens (every id but each document's first and its condition's)."""
        return sum(len(d) - 1 - s for d, s in zip(self.documents, self.skip, strict=True))

    def steps(self, batch_size: int) -> int:
        """Chunks in one training pass (for the learning-rate schedule): the rows filled as
        :meth:`stream` fills them, each taking the next piece when its own ends. Exact for
        pieces of one length (one long text); for documents of many lengths the random order
        of a pass moves the count by a few chunks, read here in the order of evaluation."""
        if self.pack:
            longest = max((len(ids) for ids, _ in self._packed(batch_size, None)), default=1)
            return math.ceil((longest - 1) / self.chunk)
        pieces = self._pieces(batch_size)
        chunks = sorted((math.ceil((len(p) - 1) / self.chunk) for p, _ in pieces), reverse=True)
        rows = [0] * min(batch_size, len(chunks))  # the step at which each row is free
        for c in chunks:
            heapq.heapreplace(rows, rows[0] + c)
        return max(rows, default=0)

    def _pieces(self, rows: int) -> list[tuple[list[int], int]]:
        """(ids, targets not scored) of the documents cut so that none is longer than its
        rows' share of the tokens."""
        share = max(self.chunk, math.ceil(len(self) / max(rows, 1)))
        out = []
        for d, skip in zip(self.documents, self.skip, strict=True):
            for start in range(0, len(d) - 1, share):
                # one id of overlap: the next target
                out.append((d[start : start + share + 1], max(skip - start, 0)))
        return out

    def _packed(
        self, rows: int, generator: torch.Generator | None
    ) -> list[tuple[list[int], list[bool]]]:
        """Per row, the documents (in a random order with ``generator``) read one after
        another, each row given the next document while it is the shortest; and whether each
        target is scored (not a condition's, not the begin-of-text that follows an end)."""
        n = len(self.documents)
        order = range(n) if generator is None else torch.randperm(n, generator=generator).tolist()
        out: list[tuple[list[int], list[bool]]] = [([], []) for _ in range(min(rows, n))]
        free = [(0, r) for r in range(len(out))]  # (tokens so far, row)
        for i in order:
            doc, skip = self.documents[i], self.skip[i]
            size, r = heapq.heappop(free)
            ids, scored = out[r]
            if ids:
                scored.append(False)  # after the last document's end: its begin-of-text
            ids += doc
            scored += [k >= skip for k in range(len(doc) - 1)]
            heapq.heappush(free, (size + len(doc), r))
        return out

    def _stream_packed(
        self, batch_size: int, generator: torch.Generator
    ) -> Iterator[tuple[tuple[Tensor, Tensor], Tensor, Tensor]]:
        """Training chunks with ``pack``: every row full until its documents run out, the
        state carried across the documents of a row (the model learns to start afresh at
        each begin-of-text), reset only at the start of the pass."""
        rows = self._packed(batch_size, generator)
        longest = max((len(ids) for ids, _ in rows), default=0)
        for c, start in enumerate(range(0, longest - 1, self.chunk)):
            ids = torch.full((len(rows), self.chunk), PAD_ID, dtype=torch.long)
            targets = torch.full((len(rows), self.chunk), IGNORE, dtype=torch.long)
            lengths = torch.ones(len(rows), dtype=torch.long)
            for r, (row, scored) in enumerate(rows):
                piece = row[start : start + self.chunk + 1]
                n = len(piece) - 1
                if n <= 0:  # this row's documents ended: it idles until the others end
                    continue
                ids[r, :n] = torch.tensor(piece[:-1])
                keep = torch.tensor(scored[start : start + n])
                targets[r, :n] = torch.tensor(piece[1:]).masked_fill(~keep, IGNORE)
                lengths[r] = n
            reset = torch.full((len(rows),), c == 0, dtype=torch.bool)
            yield (ids.to(self.device), lengths), targets.to(self.device), reset

    def stream(
        self, batch_size: int, generator: torch.Generator | None = None
    ) -> Iterator[tuple[tuple[Tensor, Tensor], Tensor, Tensor]]:
        """The chunks of one pass. With ``generator`` (training) the documents are cut into
        pieces to fill every row and read in a random order; without (evaluation) each
        document is read whole, its state carried to its end, every token scored once. Rows
        that read side by side get documents of similar length, so that short documents
        (poems, reviews) do not leave most of a chunk padding. With ``pack``, training reads
        each row's documents one after another instead (see :meth:`_stream_packed`)."""
        if self.pack and generator is not None:
            yield from self._stream_packed(batch_size, generator)
            return
        pieces = (
            self._pieces(batch_size)
            if generator is not None
            else list(zip(self.documents, self.skip, strict=True))
        )
        order = _similar_lengths_together(pieces, batch_size, generator)
        queue = iter(order)
        rows: list[tuple[list[int], int] | None] = [None] * min(batch_size, len(pieces))
        positions = [0] * len(rows)
        while True:
            reset = torch.zeros(len(rows), dtype=torch.bool)
            for r in range(len(rows)):
                current = rows[r]
                if current is None or positions[r] >= len(current[0]) - 1:
                    nxt = next(queue, None)
                    rows[r], positions[r] = (None, 0) if nxt is None else (pieces[nxt], 0)
                    reset[r] = True
            if all(row is None for row in rows):
                return
            ids = torch.full((len(rows), self.chunk), PAD_ID, dtype=torch.long)
            targets = torch.full((len(rows), self.chunk), IGNORE, dtype=torch.long)
            lengths = torch.ones(len(rows), dtype=torch.long)
            for r, row in enumerate(rows):
                if row is None:  # the queue is empty: this row idles until the others end
                    continue
                (document, skip), p = row, positions[r]
                piece = document[p : p + self.chunk + 1]
                n = len(piece) - 1
                ids[r, :n] = torch.tensor(piece[:-1])
                targets[r, :n] = torch.tensor(piece[1:])
                targets[r, : max(skip - p, 0)] = IGNORE  # the condition is read, not scored
                lengths[r] = n
                positions[r] = p + n
            yield (ids.to(self.device), lengths), targets.to(self.device), reset


BUCKET = 32  # batches whose documents are sorted by length together


def _similar_lengths_together(
    pieces: Sequence[tuple[list[int], int]], rows: int, generator: torch.Generator | None
) -> list[int]:
    """The order to read ``pieces`` in: for evaluation, longest first; for training, a random
    order cut into spans of ``BUCKET`` batches, each sorted by length and cut into batches of
    ``rows``, the batches then shuffled — random, and padded little."""
    by_length = lambda i: -len(pieces[i][0])  # noqa: E731
    if generator is None:
        return sorted(range(len(pieces)), key=by_length)
    order = torch.randperm(len(pieces), generator=generator).tolist()
    span = rows * BUCKET
    groups = []
    for start in range(0, len(order), span):
        window = sorted(order[start : start + span], key=by_length)
        groups += [window[i : i + rows] for i in range(0, len(window), rows)]
    shuffled = torch.randperm(len(groups), generator=generator).tolist()
    return [i for g in shuffled for i in groups[g]]
