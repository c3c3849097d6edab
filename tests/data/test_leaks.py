"""The leak rule, and every source that trains, pretrains or validates a sentiment model
checked against both test sets with it (the sentiment data README's rule)."""

import gzip
import hashlib
import re
from collections import Counter
from importlib import resources

import pytest

from seqlab.data import corpora
from seqlab.data.leaks import LeakRule, normalise

CSC947_SHA256 = "de9e9385edb4c1f11ba16d39d6163b2f2c15e2dfc8e3e11eac72d4d7fb27fd53"  # its README


def test_normalise_keeps_word_characters_only():
    assert normalise("房间 很干净，服务-好! OK 3") == "房间很干净服务好OK3"


def test_a_shared_span_of_12_characters_leaks_and_of_11_does_not():
    test = "一二三四五六七八九十甲乙丙丁"  # 14 characters
    rule = LeakRule([test])
    assert rule.leaks("前言" + test[2:14])  # 12 shared
    assert rule.leaks("一二三，四五六。七八九十甲乙")  # punctuation does not hide a span
    assert not rule.leaks("前言" + test[3:14])  # 11 shared
    assert rule.keep(["前言" + test[3:14], test, "别的"]) == [0, 2]


def test_a_short_test_text_leaks_when_equal_or_contained_from_4_characters():
    rule = LeakRule(["散热不好", "很好"])
    assert rule.leaks("散热不好")
    assert rule.leaks("这台机器散热不好，别买")  # contains a test text of 4 characters
    assert rule.leaks("很好")  # equal
    assert not rule.leaks("服务很好")  # a test text under 4 characters is not looked for inside


def test_csc947_is_the_readme_file():
    raw = gzip.decompress(
        resources.files("seqlab.datasets").joinpath("data", "csc947.tsv.gz").read_bytes()
    )
    assert hashlib.sha256(raw).hexdigest() == CSC947_SHA256
    rows = corpora.csc947()
    assert len(rows) == 947
    assert Counter(label for _, label, _ in rows) == {"pos": 485, "neg": 462}
    assert sum(seen for _, _, seen in rows) == 277
    assert corpora.split("sentiment", "csc947") == [(t, y) for t, y, _ in rows]


def _windows(texts):
    """Every 12-character window of the normalised texts, written out here again."""
    out = set()
    for text in texts:
        norm = re.sub(r"\W+", "", text)
        out.update(norm[i : i + 12] for i in range(len(norm) - 11))
    return out


@pytest.fixture(scope="module")
def test_windows():
    tests = [t for t, _ in corpora.split("sentiment", "test")] + [t for t, _, _ in corpora.csc947()]
    norms = [re.sub(r"\W+", "", t) for t in tests]
    short = [n for n in norms if len(n) < 12]  # 134 clauses of the test part: equal or inside
    assert len(short) == 134
    return _windows(tests), short


@pytest.mark.parametrize(
    ("corpus", "part"),
    [("sentiment", "train"), ("sentiment", "val"), ("pretraining", "train")],
)
def test_no_training_source_shares_a_span_with_a_test_text(test_windows, corpus, part):
    windows, short = test_windows
    texts = corpora.split(corpus, part)
    texts = [t if isinstance(t, str) else t[0] for t in texts]
    equal = set(short)
    leaking = []
    for text in texts:
        norm = re.sub(r"\W+", "", text)
        inside = any(len(s) >= 4 and s in norm for s in short)
        if inside or norm in equal or _windows([text]) & windows:
            leaking.append(text)
    assert not leaking, leaking[:3]


def test_pretraining_is_the_news_and_the_sentiment_training_texts():
    texts = corpora.split("pretraining")
    train = [t for t, _ in corpora.split("sentiment", "train")]
    assert texts[-len(train) :] == train
    news = texts[: -len(train)]
    assert len(news) > 19_000  # People's Daily lines: none leaks, a few are empty
    assert sum(map(len, texts)) > 2_500_000


def test_whole_reviews_and_clauses():
    assert corpora.is_whole_review("房间很干净，服务也好。")
    assert not corpora.is_whole_review("外形漂亮，键盘手感好；")  # ends mid-review
    assert not corpora.is_whole_review("2）打的不方便，要走过桥到大街上招呼。")  # a list item
    test = corpora.split("sentiment", "test")
    assert sum(corpora.is_whole_review(t) for t, _ in test) == 1_147
