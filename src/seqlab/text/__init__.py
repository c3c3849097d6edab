"""Text: tokenizers, vocabularies and padded batches (needs the ``text`` extra for jieba)."""

from seqlab.text.vocab import PAD, UNK, CharTokenizer, JiebaTokenizer, Vocab, pad_batch

__all__ = ["PAD", "UNK", "CharTokenizer", "JiebaTokenizer", "Vocab", "pad_batch"]
