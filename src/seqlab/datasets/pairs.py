"""Sequence-to-sequence data sets: the CMU Pronouncing Dictionary and Tatoeba's
English–Chinese sentence pairs.

- ``cmudict``: cmusphinx/cmudict at a pinned commit (BSD-style: keep its LICENSE with any
  copy), 135,166 entries for 126,052 words, ARPAbet phones with stress digits.
- ``tatoeba``: manythings.org's "cmn-eng" export of Tatoeba, 29,155 English–Chinese pairs,
  each with its CC BY 2.0 FR attribution (sentence ids and contributors), which travels with
  the pairs and with any model trained on them.

Files come from ``SEQLAB_DATA_DIR``, the cache or one checked download
(:func:`seqlab.datasets.files.dataset_file`). The splits are :func:`seqlab.data.corpora.split`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seqlab.datasets.files import dataset_file

__all__ = ["TatoebaPair", "cmudict", "tatoeba"]

CMUDICT_COMMIT = "0f8072f814306c5ee4fbf992ed853601b12c01f9"
CMUDICT_URL = f"https://raw.githubusercontent.com/cmusphinx/cmudict/{CMUDICT_COMMIT}/cmudict.dict"
CMUDICT_SHA256 = "81917843c7f44ce2b094ac63873c2c7a4cf802040792c455ba3ca406891c3d22"
TATOEBA_URL = (
    "https://raw.githubusercontent.com/13luoyu/Transformer-machine-translation/"
    "aa43963320ccfacebd1d3542deae559bbca58d03/cmn.txt"
)
TATOEBA_SHA256 = "aa264a2447b26ab7c9d413f8321f9e2a779fd134b5118306b6e26a3499b3926e"
TATOEBA_CREDIT = (
    "Sentence pairs from the Tatoeba Project (https://tatoeba.org), in the tab-separated "
    "export of manythings.org (http://www.manythings.org/anki/), licensed CC BY 2.0 FR "
    "(https://creativecommons.org/licenses/by/2.0/fr/)."
)


def cmudict(stress: bool = False) -> list[tuple[str, list[str]]]:
    """(word, its distinct pronunciations) in the dictionary's order of first appearance:
    comments dropped, ``word(2)`` merged into ``word``, and without ``stress`` the stress
    digits deleted (39 phones; pronunciations that then repeat are kept once).

    Example:
        >>> dict(cmudict())["aalborg"]                                    # doctest: +SKIP
        ['AO L B AO R G']
    """
    path = dataset_file("cmudict", "cmudict.dict", CMUDICT_SHA256, CMUDICT_URL)
    words: dict[str, list[str]] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        entry = line.split("#", 1)[0].split()
        if not entry:
            continue
        word = re.sub(r"\(\d+\)$", "", entry[0])
        phones = " ".join(entry[1:]) if stress else re.sub(r"\d", "", " ".join(entry[1:]))
        prons = words.setdefault(word, [])
        if phones not in prons:
            prons.append(phones)
    return list(words.items())


@dataclass(frozen=True)
class TatoebaPair:
    """One line of the file: the English sentence, its Chinese translation and the line's
    attribution (``tatoeba.org #<id> (<user>) & #<id> (<user>)``)."""

    english: str
    chinese: str
    attribution: str


def tatoeba() -> list[TatoebaPair]:
    """All 29,155 pairs in file order (the byte-order mark and the empty last line dropped)."""
    path = dataset_file("tatoeba", "cmn.txt", TATOEBA_SHA256, TATOEBA_URL)
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8-sig").splitlines()]
    return [TatoebaPair(r[0], r[1], r[2]) for r in rows if len(r) == 3]
