"""The fixed splits of the sequence-to-sequence data sets (through
:func:`seqlab.data.corpora.split`), made so that nothing on the test side is seen in training.

- ``cmudict`` (grapheme to phoneme): by word, g2p-seq2seq's rule — the distinct words
  numbered in the dictionary's order, word i to "val" when i mod 20 = 19, to "test" when it is
  17 or 18, else to "train" (85 / 5 / 10 %) — so the pronunciations of one word never straddle
  the split. Items are (word, [pronunciations]), stress removed.
- ``tatoeba`` (English–Chinese): pairs that share an English or a Chinese sentence are joined
  into groups (the file repeats sentences: 29,155 pairs, 24,363 groups); groups are numbered
  by their first line, group g to "val" when g mod 10 = 8, to "test" when it is 9, else to
  "train". No sentence of either language is on two sides. Items are
  :class:`~seqlab.datasets.pairs.TatoebaPair`, exact repeats of a pair kept once.
"""

from __future__ import annotations

import functools

import numpy as np

from seqlab.datasets.pairs import TatoebaPair, cmudict, tatoeba

__all__ = [
    "cmudict_part",
    "hold_out_sources",
    "references_by_source",
    "tatoeba_groups",
    "tatoeba_part",
]

G2P_EVERY, G2P_VAL, G2P_TEST = 20, (19,), (17, 18)
TATOEBA_EVERY, TATOEBA_VAL, TATOEBA_TEST = 10, 8, 9


def references_by_source(sources: list[str], targets: list[str]) -> dict[str, list[str]]:
    """Each distinct source (in order of first appearance) with all its targets: the
    references a source's output is scored against.

    Example:
        >>> references_by_source(["a", "b", "a"], ["1", "2", "3"])
        {'a': ['1', '3'], 'b': ['2']}
    """
    refs: dict[str, list[str]] = {}
    for s, t in zip(sources, targets, strict=True):
        refs.setdefault(s, []).append(t)
    return refs


def hold_out_sources(
    sources: list[str], targets: list[str], share: float, seed: int = 0
) -> tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]]:
    """((train sources, targets), (held-out sources, targets)): a seeded ``share`` of the
    distinct sources is held out with all of its pairs, so no source is on both sides.

    Example:
        >>> kept, held = hold_out_sources(["a", "b", "a", "c"], ["1", "2", "3", "4"], 0.34)
        >>> sorted(set(held[0]) & set(kept[0]))
        []
    """
    distinct = list(dict.fromkeys(sources))
    order = np.random.default_rng(seed).permutation(len(distinct))
    n_held = int(len(distinct) * share) if len(distinct) > 1 else 0
    held = {distinct[i] for i in order[:n_held]}
    parts: tuple[tuple[list[str], list[str]], ...] = (([], []), ([], []))
    for s, t in zip(sources, targets, strict=True):
        side = parts[1] if s in held else parts[0]
        side[0].append(s)
        side[1].append(t)
    return parts[0], parts[1]


def _part_of(i: int, every: int, val: tuple[int, ...], test: tuple[int, ...]) -> str:
    r = i % every
    return "val" if r in val else "test" if r in test else "train"


@functools.cache
def _cmudict_parts() -> dict[str, list[tuple[str, list[str]]]]:
    parts: dict[str, list[tuple[str, list[str]]]] = {"train": [], "val": [], "test": []}
    for i, item in enumerate(cmudict()):
        parts[_part_of(i, G2P_EVERY, G2P_VAL, G2P_TEST)].append(item)
    return parts


def cmudict_part(part: str) -> list[tuple[str, list[str]]]:
    return [(w, list(p)) for w, p in _cmudict_parts()[part]]


def tatoeba_groups(pairs: list[TatoebaPair]) -> list[int]:
    """The group number of each pair: pairs sharing an English or a Chinese sentence, directly
    or through others, share a group; groups numbered in order of their first pair."""
    parent = list(range(len(pairs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, p in enumerate(pairs):
        for key in (("en", p.english), ("zh", p.chinese)):
            j = first.setdefault(key, i)
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    numbers: dict[int, int] = {}
    return [numbers.setdefault(root(i), len(numbers)) for i in range(len(pairs))]


@functools.cache
def _tatoeba_parts() -> dict[str, list[TatoebaPair]]:
    pairs = tatoeba()
    parts: dict[str, list[TatoebaPair]] = {"train": [], "val": [], "test": []}
    seen: set[tuple[str, str]] = set()
    for p, g in zip(pairs, tatoeba_groups(pairs), strict=True):
        if (p.english, p.chinese) in seen:
            continue
        seen.add((p.english, p.chinese))
        parts[_part_of(g, TATOEBA_EVERY, (TATOEBA_VAL,), (TATOEBA_TEST,))].append(p)
    return parts


def tatoeba_part(part: str) -> list[TatoebaPair]:
    return list(_tatoeba_parts()[part])
