"""The ready-made text tools: constrained decoding, odd input, the bundled weights."""

import math
from collections import Counter

import numpy as np
import pytest
import torch

from seqlab.data.corpora import split
from seqlab.data.text_features import (
    fullwidth,
    tag_counts,
    tag_lexicon,
)
from seqlab.errors import ConfigError, DataError
from seqlab.metrics import span_scores
from seqlab.tasks import SequenceTagger
from seqlab.text import PosTagger, Segmenter, SentimentClassifier, train, weights_path
from seqlab.text.recipes import POS_MIN_COUNT

SENTENCE = "我毕业于华清远见成都中心人工智能专业"
ODD = [
    "",
    "   ",
    "Hello, world! 2024 is 42% done.",  # no Chinese at all
    "𠀀𠀁𠀂是生僻字",  # characters no training line has
    "中文、English 和 数字123混在一起。" * 300,  # longer than any training line (1,019)
]


@pytest.fixture(scope="module")
def tiny_segmenter():
    """A barely trained segmenter: constrained decoding must hold whatever the model says."""
    lines = [words for words, _ in split("segment", "train")[:60] if words]
    chars = [list("".join(w)) for w in lines]
    tags = [
        [t for w in ws for t in ("s" if len(w) == 1 else "b" + "m" * (len(w) - 2) + "e")]
        for ws in lines
    ]
    tagger = SequenceTagger(crf=True, embedding_dim=8, hidden_size=8, epochs=1, val_size=0.0)
    return Segmenter(tagger.fit(chars, tags))


def test_user_word_is_forced_by_constrained_decoding(tiny_segmenter):
    seg = Segmenter(tiny_segmenter.model)
    seg.add_word("华清远见")
    seg.add_word("人工智能专业")
    words = seg.cut(SENTENCE)
    assert "华清远见" in words and "人工智能专业" in words
    assert "".join(words) == SENTENCE
    # one character user word: a word of its own, even inside what the model calls a word
    seg.add_word("成")
    assert "成" in seg.cut(SENTENCE)


def test_whitespace_is_a_word_boundary(tiny_segmenter):
    words = tiny_segmenter.cut("华清 远见\t成都")
    assert "".join(words) == "华清远见成都"
    ends = np.cumsum([len(w) for w in words])
    assert 2 in ends and 4 in ends  # no word spans a space
    # a user word never reaches across whitespace
    seg = Segmenter(tiny_segmenter.model)
    seg.add_word("华清远见")
    assert "华清远见" not in seg.cut("华清 远见")


def test_add_word_rejects_empty_and_spaced_words(tiny_segmenter):
    with pytest.raises(ConfigError, match=r"^word of Segmenter.add_word must be a non-empty"):
        tiny_segmenter.add_word("华清 远见")
    with pytest.raises(ConfigError, match="got ''"):
        tiny_segmenter.add_word("")


def test_a_str_instead_of_a_list_is_one_clear_error(tiny_segmenter):
    with pytest.raises(DataError, match=r"must be a list of texts; got one str"):
        tiny_segmenter.cut_many("我爱北京")


def test_word_scores_count_spans():
    gold = [["我", "爱", "北京"], ["天安门"]]
    pred = [["我", "爱北", "京"], ["天安门"]]
    s = span_scores(gold, pred)
    assert s["precision"] == pytest.approx(100 * 2 / 4)
    assert s["recall"] == pytest.approx(100 * 2 / 4)
    tagged = span_scores([[("北京", "ns")]], [[("北京", "n")]])
    assert tagged["f1"] == 0.0


def test_without_refit_the_pos_lexicon_adds_the_words_first_seen_in_the_validation_lines():
    small = dict(embedding_dim=8, hidden_size=8, feature_dim=4, members=1, device="cpu")
    tool = train("pos", epochs=1, limit=40, refit=False, **small)
    assert isinstance(tool, PosTagger)
    seen = [([fullwidth(w) for w in ws], ts) for ws, ts in split("pos", "train")[:40]]
    val = [([fullwidth(w) for w in ws], ts) for ws, ts in split("pos", "val")[:4]]
    counts = tag_counts(seen)
    new = tag_counts(val, skip=counts)
    assert len(new) > 20
    assert tool.lexicon["与"] == ["c", "p"]  # its training order, though these val lines say p, c
    # training words keep their training entry; new words bring their validation tags
    assert tool.lexicon == {**tag_lexicon(counts), **tag_lexicon(new)}
    assert set(tool.lexicon) == set(counts) | set(new)


def test_a_refit_trains_on_the_training_and_validation_lines_for_every_epoch():
    small = dict(embedding_dim=8, hidden_size=8, feature_dim=4, members=1, device="cpu")
    tool = train("pos", epochs=2, limit=40, refit=True, **small)
    assert isinstance(tool, PosTagger)
    lines = [
        ([fullwidth(w) for w in ws], ts)
        for ws, ts in split("pos", "train")[:40] + split("pos", "val")[:4]
    ]
    # one lexicon over all 44 lines, tag orders included
    assert tool.lexicon == tag_lexicon(tag_counts(lines))
    words = Counter(w for ws, _ in lines for w in ws)
    assert set(tool.model.vocab_.itos) == {"<pad>", "<unk>"} | {
        w for w, n in words.items() if n >= POS_MIN_COUNT
    }
    # nothing held out: both epochs run and none has a validation loss
    assert [h["epoch"] for h in tool.model.history_] == [1, 2]
    assert all(math.isnan(h["val_loss"]) for h in tool.model.history_)
    held_out = train("pos", epochs=2, limit=40, refit=False, **small).model.history_
    assert all(not math.isnan(h["val_loss"]) for h in held_out)


def test_bundled_weights_are_4_bit_tables_int8_matrices_float16_scales_and_small():
    from safetensors.torch import load_file

    total = 0
    for task in ("segment", "pos", "sentiment"):
        folder = weights_path(task)
        tensors = load_file(folder / "model.safetensors")
        matrices = {k for k, t in tensors.items() if t.dim() == 2}
        tables = {k for k in matrices if k.endswith(("embedding.weight", "bigrams.weight"))}
        tables |= {k for k in matrices if k.endswith("encoder.features.weight")}
        assert tables and {tensors[k].dtype for k in tables} == {torch.uint8}  # two to a byte
        assert all(f"{k}.int4_scale" in tensors for k in tables)
        rest = matrices - tables
        assert rest and {tensors[k].dtype for k in rest} == {torch.int8}
        assert all(f"{k}.int8_scale" in tensors for k in rest)
        assert {t.dtype for t in tensors.values() if t.is_floating_point()} == {torch.float16}
        total += sum(f.stat().st_size for f in folder.iterdir())
    assert total < 8_000_000  # "under 8 MB"


@pytest.fixture(scope="module")
def segmenter():
    return Segmenter.pretrained()


def test_pretrained_segmenter_cuts_the_seed_sentence(segmenter):
    seg = Segmenter.pretrained()
    seg.add_word("华清远见")
    words = seg.cut(SENTENCE)
    assert "华清远见" in words and "".join(words) == SENTENCE
    assert words[:3] == ["我", "毕业", "于"]
    assert segmenter.cut("我爱北京天安门") == ["我", "爱", "北京", "天安门"]
    # add_word on one segmenter leaves the others alone
    assert "华清远见" not in segmenter.user_words


def test_pretrained_segmenter_takes_odd_input(segmenter):
    out = segmenter.cut_many(ODD)
    assert out[0] == [] and out[1] == []
    for text, words in zip(ODD, out, strict=True):
        assert "".join(words) == "".join(text.split())
    assert "2024" in out[2] and "Hello" in out[2]  # half-width input read as full-width


def test_pretrained_pos_tagger_tags_words():
    pairs = PosTagger.pretrained().tag("我爱北京天安门")
    assert pairs == [("我", "r"), ("爱", "v"), ("北京", "ns"), ("天安门", "ns")]
    tagger = PosTagger.pretrained()
    out = tagger.tag_many(ODD)
    for text, line in zip(ODD, out, strict=True):
        assert "".join(w for w, _ in line) == "".join(text.split())
        assert all(tag for _, tag in line)
    # user words reach the tagger through its segmenter
    tagger.add_word("华清远见")
    words = [w for w, _ in tagger.tag(SENTENCE)]
    assert "华清远见" in words and "".join(words) == SENTENCE
    # given the words, it tags them as they are
    assert tagger.tag_words([["北京", "欢迎", "你"], []]) == [["ns", "v", "r"], []]
    # tag() given a list of words (pre-segmented input) tags exactly those words
    words = ["我", "爱", "北京天安门"]
    pairs = tagger.tag(words)
    assert [w for w, _ in pairs] == words
    assert [t for _, t in pairs] == tagger.tag_words([words])[0]
    with pytest.raises(DataError, match=r"^text of PosTagger.tag must be a str or a list of"):
        tagger.tag(["我", 3])
    with pytest.raises(DataError, match=r"^texts of PosTagger.tag_many must be a list of texts"):
        tagger.tag_many("我爱北京")


def test_pretrained_sentiment_reads_reviews():
    clf = SentimentClassifier.pretrained()
    p = clf.predict_proba(
        ["房间干净，服务热情，下次还住这里", "质量太差了，非常失望，不会再买", *ODD]
    )
    assert p.shape == (7, 2) and np.allclose(p.sum(1), 1, atol=1e-5)
    pos = clf.labels.index("pos")
    assert p[0, pos] > 0.8 and p[1, pos] < 0.2
    assert clf.predict(["服务很好"]) == ["pos"]


def test_the_bundled_segmenter_in_bf16_scores_as_in_fp32():
    """Prediction under "auto" runs a bfloat16 copy of the weights where the CPU has bf16: on
    400 lines of the PKU test text its F1 must stay within 0.01 of float32's."""
    lines = [words for words, _ in split("segment", "test") if words][:400]
    texts = ["".join(words) for words in lines]
    fp32 = span_scores(lines, Segmenter.pretrained(precision="fp32").cut_many(texts))["f1"]
    bf16 = span_scores(lines, Segmenter.pretrained(precision="bf16").cut_many(texts))["f1"]
    assert abs(bf16 - fp32) <= 0.01 and fp32 > 95
