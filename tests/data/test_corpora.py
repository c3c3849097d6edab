"""The corpora and their leak-free splits, on the real files of the text extra."""

from collections import Counter

import pytest

from seqlab.data.corpora import (
    people_daily_pos,
    people_daily_segmentation,
    sentiment_reviews,
    split,
    titled,
)
from seqlab.errors import ConfigError


def test_people_daily_lines_and_split():
    seg, pos = people_daily_segmentation(), people_daily_pos()
    assert len(seg) == len(pos) == 19_484
    assert {t for _, tags in seg for t in tags} == {"b", "m", "e", "s"}
    # the two files hold the same text, line by line
    assert all("".join(c) == "".join(w) for (c, _), (w, _) in zip(seg, pos, strict=True))
    train, val, test = (split("segment", part) for part in ("train", "val", "test"))
    assert (len(train), len(val), len(test)) == (16_659, 876, 1_949)
    # document order: validation, then test, are the last lines
    assert "".join(test[0][0]) == "".join(seg[17_535][0])
    assert "".join(val[0][0]) == "".join(seg[16_659][0])
    assert split("pos", "test")[0] == pos[17_535]
    with pytest.raises(ConfigError, match=r"^part of split must be one of 'train', 'val', 'test'"):
        split("pos", "dev")


def test_sentiment_dedup_and_conflicts():
    items, stats = sentiment_reviews()
    assert stats == {
        "lines": 35_124,
        "duplicates_removed": 17_667,
        "conflicting_texts": 47,
        "remaining": 17_363,
    }
    texts = [t for t, _ in items]
    assert len(texts) == len(set(texts))  # no duplicate left, so no text in two parts


def test_sentiment_split_keeps_label_shares_and_is_fixed():
    items, _ = sentiment_reviews()
    train, val, test = (split("sentiment", part) for part in ("train", "val", "test"))
    # 980 training and 124 validation texts leak into a test text and are dropped
    assert (len(train), len(val), len(test)) == (12_911, 1_612, 1_736)
    assert len(train) + len(val) + len(test) == len(items) - 980 - 124
    share = {
        name: Counter(label for _, label in part)["pos"] / len(part)
        for name, part in (("train", train), ("val", val), ("test", test))
    }
    # stratified before the leaking texts go; within 1.5 points after
    assert max(share.values()) - min(share.values()) < 0.015
    assert not {t for t, _ in train} & {t for t, _ in test}
    assert not {t for t, _ in val} & {t for t, _ in test}
    assert split("sentiment", "test") == test


@pytest.mark.parametrize(
    ("corpus", "sizes", "chars"),
    [
        ("shakespeare", (1, 1), (1_003_854, 111_540)),
        ("ci", (18_923, 2_102), (1_536_557, 169_731)),
        ("tang", (50_986, 5_665), (3_277_603, 362_138)),
    ],
)
def test_language_modelling_texts_split_as_documented(corpus, sizes, chars):
    train, val = split(corpus, "train"), split(corpus, "val")
    assert (len(train), len(val)) == sizes
    assert (sum(map(len, train)), sum(map(len, val))) == chars
    assert not set(train) & set(val)  # deduplicated by text first: no poem on both sides
    assert all(train) and all(val)  # no empty document
    assert split(corpus, "val") == val  # fixed, not drawn


def test_every_tenth_poem_is_held_out():
    from seqlab.datasets.texts import poems

    unique = [t for t in dict.fromkeys(p.text for p in poems("ci")) if t]
    assert split("ci", "val")[:2] == [unique[9], unique[19]]
    assert split("ci", "train")[:10] == [*unique[:9], unique[10]]


def test_a_language_modelling_text_has_no_test_part():
    with pytest.raises(ConfigError, match=r"^part of split must be 'train' or 'val' for ci"):
        split("ci", "test")


def test_titled_poems_are_the_split_with_each_poems_first_title():
    from seqlab.datasets.texts import poems

    pairs = titled("tang", "val")
    assert [text for _, text in pairs] == split("tang", "val")
    first = next(p for p in poems("tang") if p.text == pairs[0][1])
    assert pairs[0][0] == first.title == "帝京篇十首 十"
    assert titled("ci", "train")[0][0] == "导引"  # a ci's title is its tune name
