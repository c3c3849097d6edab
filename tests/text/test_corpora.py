"""The corpora and their leak-free splits, on the real files of the text extra."""

from collections import Counter

from seqlab.text.corpora import (
    people_daily_pos,
    people_daily_segmentation,
    sentiment_reviews,
    split_tagging,
    stratified_split,
)


def test_people_daily_lines_and_split():
    seg, pos = people_daily_segmentation(), people_daily_pos()
    assert len(seg) == len(pos) == 19_484
    assert {t for _, tags in seg for t in tags} == {"b", "m", "e", "s"}
    # the two files hold the same text, line by line
    assert all("".join(c) == "".join(w) for (c, _), (w, _) in zip(seg, pos, strict=True))
    train, test = split_tagging(seg)
    assert (len(train), len(test)) == (17_535, 1_949)
    assert test[0] == seg[17_535]  # document order: the test part is the last 10 %


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


def test_stratified_split_keeps_label_shares_and_is_seeded():
    items, _ = sentiment_reviews()
    train, val, test = stratified_split(items, seed=0)
    assert len(train) + len(val) + len(test) == len(items)
    share = {
        name: Counter(label for _, label in part)["pos"] / len(part)
        for name, part in (("train", train), ("val", val), ("test", test))
    }
    assert max(share.values()) - min(share.values()) < 0.002
    assert not {t for t, _ in train} & {t for t, _ in test}
    assert stratified_split(items, seed=0)[2] == test
