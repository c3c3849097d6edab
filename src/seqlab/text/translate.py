"""The bundled translators: Chinese → English and English → Chinese, encoder–decoder models
(:class:`~seqlab.tasks.Seq2Seq`) trained by ``benchmarks/seq2seq.py`` on the training part of
the Tatoeba pairs (:func:`seqlab.data.corpora.split`); their held-out scores are in
docs/results/seq2seq.md. The pairs are CC BY 2.0 FR: each model's folder carries the
attribution (``ATTRIBUTION.md`` and the ids and contributors of every pair it learned from).

Example:
    >>> from seqlab.text import translate
    >>> translate(["我们明天去北京。"])                              # doctest: +SKIP
    ['We are going to Beijing tomorrow.']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from seqlab.errors import check, one_of
from seqlab.tasks import Seq2Seq
from seqlab.tasks.lm.decoding import HANZI
from seqlab.text.tool import bundled_or_saved

__all__ = ["DIRECTIONS", "direction_for", "load_translator", "routes", "translate"]

DIRECTIONS = ("zh-en", "en-zh")


def direction_for(text: str, to: str | None = None) -> str:
    """ "zh-en" or "en-zh": into ``to`` ("en" or "zh") when given, else into the language the
    text is not in (Chinese characters in it: into English)."""
    if to is None:
        to = "en" if HANZI.search(text) else "zh"
    check("translate", {"to": one_of("en", "zh")}, {"to": to})
    return "zh-en" if to == "en" else "en-zh"


def routes(
    texts: Sequence[str], to: str | None = None, path: str | Path | None = None
) -> list[tuple[str | None, list[int]]]:
    """(direction, rows) of the non-empty texts: the rows each bundled model translates, or
    with ``path`` every row for that one model (direction None); empty texts are in none.

    Example:
        >>> routes(["你好", "", "hello"])
        [('zh-en', [0]), ('en-zh', [2])]
    """
    todo = [i for i, t in enumerate(texts) if t.strip()]
    if path is not None:
        return [(None, todo)] if todo else []
    by = [(d, [i for i in todo if direction_for(texts[i], to) == d]) for d in DIRECTIONS]
    return [(d, rows) for d, rows in by if rows]


def load_translator(
    direction: str = "zh-en", path: str | Path | None = None, device: str = "cpu"
) -> Seq2Seq:
    """The model saved in ``path`` (``Seq2Seq.save``), else the bundled one of
    ``direction``."""
    check("load_translator", {"direction": one_of(*DIRECTIONS)}, {"direction": direction})
    folder = bundled_or_saved(
        f"translate-{direction}",
        path,
        f"{direction} translator",
        "python benchmarks/seq2seq.py --task zh-en --task en-zh --bundle",
    )
    return Seq2Seq.load(folder, device=device)


BEAM = 5  # the bundled translators decode with beam search of this width unless told


def translate(
    texts: Sequence[str],
    to: str | None = None,
    beam: int = BEAM,
    path: str | Path | None = None,
    load: Callable[[str, str | Path | None], Seq2Seq] = load_translator,
) -> list[str]:
    """Each text translated into ``to`` ("en" or "zh"; by default the other language of
    each text) by the bundled models, or every text by the model saved in ``path``, with
    beam search; an empty text gives an empty translation. ``load(direction, path)`` gives
    the model (a server passes one that keeps them loaded)."""
    out = [""] * len(texts)
    for direction, rows in routes(texts, to, path):
        model = load(direction or "zh-en", path)
        found = model.predict([texts[i] for i in rows], beam=beam)
        for i, text in zip(rows, found, strict=True):
            out[i] = text
    return out
