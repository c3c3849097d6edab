import gzip

import pytest
import torch

from seqlab.data.batches import EncodedTexts, pad_batch
from seqlab.data.tokens import CharTokenizer, JiebaTokenizer, Vocab
from seqlab.errors import CheckpointError


def test_char_tokenizer_drops_whitespace_keeps_everything_else():
    assert CharTokenizer()("华清 远见,AI!") == ["华", "清", "远", "见", ",", "A", "I", "!"]


def test_jieba_user_words_stay_in_their_tokenizer():
    text = "我毕业于华清远见成都中心"
    plain = JiebaTokenizer()
    custom = JiebaTokenizer()
    custom.add_word("华清远见")
    assert "华清远见" in custom(text)
    assert "华清远见" not in plain(text)
    assert "".join(custom(text)) == text


def test_vocab_min_freq_specials_and_unknowns():
    v = Vocab.build([["中", "国", "中"], ["人", "中"]], min_freq=2)
    assert v.itos == ["<pad>", "<unk>", "中"]
    assert v.encode(["中", "国"]) == [2, 1] and v.decode([2, 0]) == ["中", "<pad>"]


def test_vocab_save_load(tmp_path):
    v = Vocab.build([list("今天天气很好")])
    v.save(tmp_path / "vocab.json")
    assert Vocab.load(tmp_path / "vocab.json").itos == v.itos
    v.save(tmp_path / "vocab.json.gz")  # gzipped JSON, as the text tasks save theirs
    assert gzip.decompress((tmp_path / "vocab.json.gz").read_bytes()).startswith(b'{"tokens"')
    assert Vocab.load(tmp_path / "vocab.json.gz").itos == v.itos
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(CheckpointError):
        Vocab.load(tmp_path / "bad.json")


def test_pad_batch_keeps_true_lengths():
    ids, lengths = pad_batch([[5, 6, 7], [8], []])
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0], [0, 0, 0]]
    assert lengths.tolist() == [3, 1, 1]
    assert ids.dtype == torch.long


def test_prediction_batches_respect_rows_and_padded_tokens():
    """Sorted by length; no batch over 4 rows or 24 padded tokens (rows x longest), unless
    one text alone is longer; every row exactly once."""
    lengths = [3, 12, 1, 30, 5, 5, 7, 2, 11, 6]
    texts = EncodedTexts([[1] * n for n in lengths], None, None, 0)
    batches = texts.by_length(4, tokens=24)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths)
    for b in batches:
        longest = max(lengths[i] for i in b)
        assert len(b) <= 4 and (len(b) * longest <= 24 or len(b) == 1)
    assert [len(b) for b in texts.by_length(4)] == [4, 4, 2]  # rows only, as before
