"""Tokens to ids and back: tokenizers and a vocabulary with fixed ids for padding and the
unknown token."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from seqlab.errors import CheckpointError, ConfigError, check, positive_int
from seqlab.io import read_json, write_json

__all__ = [
    "PAD",
    "PAD_ID",
    "TOKENS",
    "UNK",
    "UNK_ID",
    "CharTokenizer",
    "JiebaTokenizer",
    "Vocab",
    "detokenize",
    "tokenize",
]

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1  # every Vocab puts them first, in this order
TOKENS = ("char", "word", "space")  # the kinds of tokenize
_WORD = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


class CharTokenizer:
    """One token per character, whitespace dropped: the unit of Chinese character tagging.

    Example:
        >>> CharTokenizer()("华清 远见")
        ['华', '清', '远', '见']
    """

    def __call__(self, text: str) -> list[str]:
        return [c for c in text if not c.isspace()]


class JiebaTokenizer:
    """Words by jieba, on a dictionary of this tokenizer's own, so ``add_word`` here does not
    change jieba's global state (or other tokenizers).

    Example:
        >>> tok = JiebaTokenizer()
        >>> tok.add_word("华清远见")
        >>> "华清远见" in tok("我毕业于华清远见成都中心")      # doctest: +SKIP
        True
    """

    def __init__(self, hmm: bool = True) -> None:
        try:
            import jieba
        except ImportError:
            raise ConfigError(
                "jieba of JiebaTokenizer must be installed; got it missing. Install the text "
                "extra: pip install 'seqlab[text]'."
            ) from None
        self._jieba = jieba.Tokenizer()
        self.hmm = hmm

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        """Add ``word`` to this tokenizer's dictionary, as ``jieba.add_word`` does."""
        self._jieba.add_word(word, freq, tag)

    def __call__(self, text: str) -> list[str]:
        return [w for w in self._jieba.cut(text, HMM=self.hmm) if not w.isspace()]


class Vocab:
    """Token ↔ id, with ``<pad>`` = 0 and ``<unk>`` = 1; saved as JSON (gzipped when the file
    name ends in ".gz", as the text tasks save theirs).

    Example:
        >>> v = Vocab.build([["a", "b", "a"], ["c"]], min_freq=2)
        >>> v.encode(["a", "c"]), len(v)
        ([2, 1], 3)
    """

    def __init__(self, tokens: Sequence[str]) -> None:
        self.itos = [PAD, UNK, *(t for t in tokens if t not in (PAD, UNK))]
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    @classmethod
    def build(cls, sequences: Iterable[Sequence[str]], min_freq: int = 1) -> Vocab:
        """Tokens seen at least ``min_freq`` times, most frequent first (ties: first seen)."""
        check("Vocab", {"min_freq": positive_int()}, {"min_freq": min_freq})
        counts = Counter(t for seq in sequences for t in seq)
        return cls([t for t, c in counts.most_common() if c >= min_freq])

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return list(map(self.stoi.get, tokens, repeat(UNK_ID, len(tokens))))

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[i] for i in ids]

    def save(self, path: str | Path) -> None:
        write_json(path, {"tokens": self.itos}, compact=True)

    @classmethod
    def load(cls, path: str | Path) -> Vocab:
        data: Any = read_json(path)
        if not isinstance(data, dict) or not isinstance(data.get("tokens"), list):
            raise CheckpointError(
                f"{Path(path).name} of a saved vocabulary must hold a 'tokens' list; got "
                f"{type(data).__name__}. Save the vocabulary again."
            )
        return cls(data["tokens"])


def tokenize(text: str, kind: str) -> list[str]:
    """``text`` as tokens: "char" every character (spaces too, so English keeps its word
    breaks), "word" words and punctuation marks, "space" the items between spaces (phones).

    Example:
        >>> tokenize("Don't go!", "word"), tokenize("AH0 B", "space"), tokenize("去吧", "char")
        (["Don't", 'go', '!'], ['AH0', 'B'], ['去', '吧'])
    """
    text = text.strip()
    if kind == "char":
        return list(text)
    if kind == "space":
        return text.split()
    return _WORD.findall(text)


def detokenize(tokens: Sequence[str], kind: str) -> str:
    """Tokens back to text: joined as they were split; "word" tokens with a space between
    words and none before closing punctuation.

    Example:
        >>> detokenize(["Don't", "go", "!"], "word")
        "Don't go!"
    """
    if kind == "char":
        return "".join(tokens)
    text = " ".join(tokens)
    if kind == "word":
        text = re.sub(r" ([.,!?;:%)\]}。，！？])", r"\1", text)
        text = re.sub(r"([(\[{$¿¡]) ", r"\1", text)
    return text
