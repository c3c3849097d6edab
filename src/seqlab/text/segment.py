"""Chinese word segmentation: characters tagged b/m/e/s by a BiLSTM-CRF; a word ends at e or s.

User words (``add_word``) are honoured by constrained decoding: the CRF's Viterbi search runs
over only the tag sequences in which the word is one word (b m … e, or s), its left neighbour
ends a word and its right neighbour starts one. The best sequence under those constraints is
returned, not a best sequence patched afterwards. Whitespace in the input is a word boundary
the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from seqlab.data.text_features import (
    dictionary_features,
    fullwidth,
    word_prefixes,
    words_from_tags,
)
from seqlab.errors import ConfigError, DataError
from seqlab.io import read_lines_gz, write_lines_gz
from seqlab.metrics import span_scores
from seqlab.tasks import SequenceTagger
from seqlab.text.tool import Tool

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Segmenter"]

_SPACE = re.compile(r"\s")


class Segmenter(Tool):
    """Chinese word segmentation by a character BiLSTM-CRF trained on People's Daily.

    Besides characters and bigrams, each character sees which dictionary words begin and end
    at it (``dictionary``: the training words of two or more characters; saved gzipped as
    ``words.txt.gz`` beside the weights).

    Example:
        >>> seg = Segmenter.pretrained()
        >>> seg.add_word("华清远见")
        >>> seg.cut("我毕业于华清远见成都中心人工智能专业")        # doctest: +SKIP
        ['我', '毕业', '于', '华清远见', '成都', '中心', '人工智能', '专业']
    """

    _task = "segment"
    _model = SequenceTagger
    model: SequenceTagger

    def __init__(self, model: SequenceTagger, dictionary: AbstractSet[str] = frozenset()) -> None:
        super().__init__(model)
        self.dictionary = dictionary
        # The dictionary and its words' prefixes, computed when first needed.
        self._prefixes: tuple[AbstractSet[str], frozenset[str]] | None = None
        self.user_words: set[str] = set()
        self._lengths: list[int] = []

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> Self:
        """A segmenter saved by :meth:`save` (weights and its ``words.txt.gz`` dictionary)."""
        words = read_lines_gz(Path(path) / "words.txt.gz")
        return cls(cls._model.load(path, device), frozenset(words))

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        folder = self.model.save(path, precision)
        if self.model.features_ is not None:
            write_lines_gz(folder / "words.txt.gz", sorted(self.dictionary))
        return folder

    def _features(self, lines: Sequence[str]) -> list | None:
        if self.model.features_ is None:
            return None
        if self._prefixes is None or self._prefixes[0] is not self.dictionary:
            self._prefixes = (self.dictionary, word_prefixes(self.dictionary))
        prefixes = self._prefixes[1]
        return [dictionary_features(line, self.dictionary, prefixes) for line in lines]

    def add_word(self, word: str) -> None:
        """Make ``word`` one word wherever it occurs (longest user word first, left to
        right), as ``jieba.add_word`` does."""
        if not isinstance(word, str) or not word or any(c.isspace() for c in word):
            raise ConfigError(
                f"word of {type(self).__name__}.add_word must be a non-empty text without "
                f"spaces; got {word!r}. Pass one word, such as '华清远见'.",
                param="word",
            )
        self.user_words.add(word)
        self._lengths = sorted({len(w) for w in self.user_words}, reverse=True)

    def _spans(self, chars: str, starts: set[int]) -> list[tuple[int, int]]:
        """Where user words occur: longest first at each position, no overlaps, never across
        a whitespace boundary (``starts`` are the characters that follow whitespace)."""
        spans, i = [], 0
        while i < len(chars):
            for n in self._lengths:
                if chars[i : i + n] in self.user_words and not any(
                    s in starts for s in range(i + 1, i + n)
                ):
                    spans.append((i, i + n))
                    i += n
                    break
            else:
                i += 1
        return spans

    def _allowed(
        self, length: int, spans: Iterable[tuple[int, int]], starts: Iterable[int]
    ) -> torch.Tensor | None:
        """(L, K) tags each character may take, or None when nothing is constrained."""
        labels = self.model.labels_
        position = np.array(labels)
        allow = np.ones((length, len(labels)), dtype=bool)
        constrained = False
        for s in starts:  # a word starts at s: s-1 ends one, s begins one
            allow[s - 1] &= np.isin(position, ["e", "s"])
            allow[s] &= np.isin(position, ["b", "s"])
            constrained = True
        for a, b in spans:
            if b - a == 1:
                allow[a] &= position == "s"
            else:
                allow[a] &= position == "b"
                allow[a + 1 : b - 1] &= position == "m"
                allow[b - 1] &= position == "e"
            if a > 0:
                allow[a - 1] &= np.isin(position, ["e", "s"])
            if b < length:
                allow[b] &= np.isin(position, ["b", "s"])
            constrained = True
        return torch.from_numpy(allow) if constrained else None

    def cut(self, text: str) -> list[str]:
        """The words of one text (whitespace dropped; an empty text has none)."""
        return self.cut_many([text])[0]

    def cut_many(self, texts: Sequence[str]) -> list[list[str]]:
        """The words of each text: the CRF's best tags under the user words and whitespace,
        decoded in length-sorted batches."""
        if isinstance(texts, str):
            raise DataError(
                f"texts of {type(self).__name__}.cut_many must be a list of texts; got one "
                "str. Wrap it in a list, or use cut(text).",
                param="texts",
            )
        chars: list[str] = []
        allowed: list[torch.Tensor | None] = []
        for text in texts:
            if _SPACE.search(text) is None and not self.user_words:
                chars.append(text)  # nothing to constrain
                allowed.append(None)
                continue
            kept = [(i, c) for i, c in enumerate(text) if not c.isspace()]
            line = "".join(c for _, c in kept)
            # characters right after whitespace start a word
            begins = {j for j in range(1, len(kept)) if kept[j][0] != kept[j - 1][0] + 1}
            chars.append(line)
            allowed.append(self._allowed(len(line), self._spans(line, begins), begins))
        wide = [fullwidth(c) for c in chars]
        tags = self.model.predict(
            [list(c) for c in wide],
            allowed if any(a is not None for a in allowed) else None,
            self._features(wide),
        )
        return [words_from_tags(c, t) for c, t in zip(chars, tags, strict=True)]

    def evaluate(self, lines: Sequence[Sequence[str]]) -> dict[str, float]:
        """Word precision / recall / F1 (%) on gold-segmented lines (lists of words)."""
        lines = [line for line in lines if line]
        return span_scores(lines, self.cut_many(["".join(line) for line in lines]))
