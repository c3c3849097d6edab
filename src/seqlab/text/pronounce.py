"""The bundled pronouncer: English words to ARPAbet phonemes (CMUdict's 39, stress left
out), an encoder–decoder (:class:`~seqlab.tasks.Seq2Seq`) trained by
``benchmarks/seq2seq.py --task g2p`` on the training part of CMUdict (its split by word,
:func:`seqlab.data.corpora.split`); its held-out word and phoneme error rates are in
docs/results/seq2seq.md. CMUdict is BSD-licensed (ATTRIBUTION.md in the weights' folder).

Example:
    >>> from seqlab.text.pronounce import pronounce
    >>> pronounce(["hello"])                                         # doctest: +SKIP
    ['HH AH L OW']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from seqlab.errors import DataError
from seqlab.tasks import Seq2Seq
from seqlab.text.tool import bundled_or_saved

__all__ = ["BEAM", "load_pronouncer", "pronounce", "spelling"]

BEAM = 5  # the bundled pronouncer decodes with beam search of this width unless told
_LETTERS = re.compile(r"[a-z'.\-]+")


def load_pronouncer(path: str | Path | None = None, device: str = "cpu") -> Seq2Seq:
    """The model saved in ``path`` (``Seq2Seq.save``), else the bundled one."""
    train = "python benchmarks/seq2seq.py --task g2p --models gru --bundle-g2p"
    folder = bundled_or_saved("pronounce", path, "pronouncer", train)
    return Seq2Seq.load(folder, device=device)


def spelling(word: str) -> str:
    """``word`` as CMUdict spells its entries (lower case), or one sentence saying which
    character no entry has.

    Example:
        >>> spelling("Hello")
        'hello'
    """
    lowered = word.strip().lower()
    if not lowered:
        raise DataError(
            "words of pronounce must not be empty; got an empty word. Pass English words, "
            "e.g. seqlab text pronounce hello world.",
            param="words",
        )
    if not _LETTERS.fullmatch(lowered):
        bad = next(c for c in lowered if not _LETTERS.fullmatch(c))
        raise DataError(
            f"words of pronounce must be spelled with the letters a-z, ' . and -; got {bad!r} "
            f"in {word!r}. Write numbers out in words and leave other characters out.",
            param="words",
        )
    return lowered


def pronounce(
    words: Sequence[str],
    beam: int = BEAM,
    n_best: int = 1,
    path: str | Path | None = None,
) -> list[list[str]]:
    """The ``n_best`` pronunciations of each word, best first, as space-separated ARPAbet
    phonemes, by the bundled model (or the one saved in ``path``)."""
    spelled = [spelling(w) for w in words]
    g2p = load_pronouncer(path)
    return [[d.text for d in found] for found in g2p.decode(spelled, beam=beam, n_best=n_best)]
