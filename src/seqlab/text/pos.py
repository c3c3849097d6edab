"""Part-of-speech tagging over the words of a segmenter (People's Daily tag set)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from seqlab.data.text_features import fullwidth, word_features
from seqlab.errors import DataError
from seqlab.io import read_lines_gz, write_lines_gz
from seqlab.metrics import span_scores
from seqlab.tasks import SequenceTagger
from seqlab.text.segment import Segmenter
from seqlab.text.tool import Tool

if TYPE_CHECKING:
    from typing import Self

__all__ = ["PosTagger"]


class PosTagger(Tool):
    """Part-of-speech tags (People's Daily tag set: n, v, ns …) over the words of a segmenter.

    A pipeline: :class:`~seqlab.text.Segmenter` finds the words, then word-level BiLSTM-CRFs
    tag them (the recipe's ``members``: five, trained alike from seeds 0 to 4, their scores
    averaged; the recipe's ``refit``: trained on the training and validation lines together).
    Words seen ``min_freq`` times or more in training have an embedding of their own, the
    others share ``<unk>``. Every word also embeds six features (see
    :func:`~seqlab.data.text_features.word_features`): its first, second, second-to-last and
    last character, which often tell the part of speech (-化 v, -者 n, -年 t, 邓… nr), its
    shape (length and kinds of character) and its entry in ``lexicon``: the tags it had in
    training, most frequent first ("v|vn"; "-" for a word never seen). The lexicon is saved
    gzipped as ``tags.txt.gz`` beside the weights. ``add_word`` forces user words in the
    segmenter.

    Example:
        >>> PosTagger.pretrained().tag("我爱北京")                 # doctest: +SKIP
        [('我', 'r'), ('爱', 'v'), ('北京', 'ns')]
    """

    _task = "pos"
    _model = SequenceTagger
    model: SequenceTagger

    def __init__(
        self,
        model: SequenceTagger,
        segmenter: Segmenter | None = None,
        lexicon: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(model)
        self.segmenter = segmenter if segmenter is not None else Segmenter.pretrained()
        self.lexicon = lexicon if lexicon is not None else {}

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> Self:
        """A tagger saved by :meth:`save` (weights and its ``tags.txt.gz`` lexicon), over
        the bundled segmenter."""
        rows = (line.split(" ") for line in read_lines_gz(Path(path) / "tags.txt.gz"))
        lexicon = {word: tags for word, *tags in rows}
        return cls(cls._model.load(path, device), Segmenter.pretrained(device), lexicon)

    def _predict_in(self, precision: str) -> None:
        super()._predict_in(precision)
        self.segmenter._predict_in(precision)

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        folder = self.model.save(path, precision)
        rows = (" ".join([w, *tags]) for w, tags in sorted(self.lexicon.items()))
        write_lines_gz(folder / "tags.txt.gz", rows)
        return folder

    def add_word(self, word: str) -> None:
        """Make ``word`` one word wherever it occurs (see :meth:`Segmenter.add_word`)."""
        self.segmenter.add_word(word)

    def tag(self, text: str | Sequence[str]) -> list[tuple[str, str]]:
        """(word, POS) pairs of one text; given a list of words (a text already segmented),
        the tags of exactly those words.

        Example:
            >>> tagger = PosTagger.pretrained()                   # doctest: +SKIP
            >>> tagger.tag(["我", "爱", "北京"])                  # doctest: +SKIP
            [('我', 'r'), ('爱', 'v'), ('北京', 'ns')]
        """
        if isinstance(text, str):
            return self.tag_many([text])[0]
        words = list(text)
        if not all(isinstance(w, str) for w in words):
            raise DataError(
                f"text of PosTagger.tag must be a str or a list of words (str); got a list "
                f"holding {type(next(w for w in words if not isinstance(w, str))).__name__}. "
                "Pass one text, or its words.",
                param="text",
            )
        return list(zip(words, self.tag_words([words])[0], strict=True))

    def tag_many(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """(word, POS) pairs of each text."""
        if isinstance(texts, str):
            raise DataError(
                "texts of PosTagger.tag_many must be a list of texts; got one str. Wrap it "
                "in a list, or use tag(text).",
                param="texts",
            )
        lines = self.segmenter.cut_many(texts)
        tags = self.tag_words(lines)
        return [list(zip(w, t, strict=True)) for w, t in zip(lines, tags, strict=True)]

    def tag_words(self, lines: Sequence[Sequence[str]]) -> list[list[str]]:
        """The POS tags of already segmented lines (lists of words)."""
        kept = [[fullwidth(w) for w in ws] for ws in lines if ws]
        features = None
        if self.model.features_ is not None:
            features = [word_features(ws, self.lexicon) for ws in kept]
        tagged = self.model.predict(kept, features=features)
        it = iter(tagged)
        return [next(it) if ws else [] for ws in lines]

    def evaluate(self, lines: Sequence[tuple[Sequence[str], Sequence[str]]]) -> dict[str, float]:
        """On (words, tags) lines: ``accuracy`` (%) of the tags given the gold words (the
        usual POS measure) and ``f1`` of (word, tag) pairs from raw text, segmenter included."""
        lines = [(w, t) for w, t in lines if w]
        predicted = self.tag_words([words for words, _ in lines])
        right = [
            p == t
            for (_, tags), ps in zip(lines, predicted, strict=True)
            for p, t in zip(ps, tags, strict=True)
        ]
        joint = span_scores(
            [list(zip(w, t, strict=True)) for w, t in lines],
            self.tag_many(["".join(words) for words, _ in lines]),
        )
        return {"accuracy": 100 * float(np.mean(right)), **joint}
