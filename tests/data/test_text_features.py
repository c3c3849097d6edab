"""Text features: width, dictionary and lexicon features, each line blind to its own words."""

import random
from collections import Counter

from seqlab.data.text_features import (
    LeaveLineOut,
    dictionary_features,
    fullwidth,
    leave_line_out_tags,
    tag_lexicon,
    word_features,
    word_prefixes,
    word_shape,
    words_from_tags,
)


def test_word_shape_is_length_and_kinds_of_character():
    assert [word_shape(fullwidth(w)) for w in ["北京", "1998年", "AI", "，", "中华人民共和国"]] == [
        "2h",
        "5dh",
        "2a",
        "1p",
        "5h",
    ]


def test_pos_features_are_characters_shape_and_lexicon_tags():
    lexicon = {"发展": ["v", "vn"], "北京": ["ns"], "多": ["a", "m", "d", "ad"]}
    assert word_features(["发展", "北京", "全球化", "多", "邓小平", "中华民族"], lexicon) == [
        ("发", "-", "-", "展", "2h", "v|vn"),
        ("北", "-", "-", "京", "2h", "ns"),
        ("全", "球", "-", "化", "3h", "-"),  # never seen in training
        ("多", "-", "-", "多", "1h", "a|m|d"),  # at most POS_LEXICON_TAGS, most frequent first
        ("邓", "小", "-", "平", "3h", "-"),
        ("中", "华", "民", "族", "4h", "-"),
    ]


def test_a_training_line_does_not_see_its_own_tags_in_the_lexicon():
    counts = {"发展": Counter({"vn": 3, "v": 2}), "北京": Counter({"ns": 1})}
    assert tag_lexicon(counts) == {"发展": ["vn", "v"], "北京": ["ns"]}
    # this line holds 北京's only occurrence and two of 发展's three vn
    seen = leave_line_out_tags(counts, ["发展", "北京", "发展"], ["vn", "ns", "vn"])
    assert seen == {"发展": ["v", "vn"], "北京": []}
    assert word_features(["北京"], seen)[0][-1] == "-"


def test_dictionary_features_name_the_words_that_begin_and_end_at_each_character():
    words = {"中华", "人民", "中华人民共和国", "共和国"}
    features = dictionary_features("中华人民共和国好", words)
    assert [f for (f,) in features] == ["B25E", "BE2", "B2E", "BE2", "B3E", "BE", "BE35", "BE"]


def test_a_training_line_does_not_see_its_own_words_in_the_dictionary():
    counts = Counter({"北京": 1, "天津": 2})
    line = LeaveLineOut(counts, ["北京", "天津"])  # each seen once in this very line
    assert "北京" not in line and "天津" in line  # 天津 is also seen elsewhere
    assert "北京" in LeaveLineOut(counts, ["天津"])


def test_fullwidth_maps_ascii_only():
    assert fullwidth("A1,中") == "Ａ１，中"


# --- the bundled weights -------------------------------------------------------------------


def test_dictionary_features_stop_early_at_no_prefix_and_change_nothing():
    """The prefixes only save look-ups: on random text over a small alphabet, with words of
    2 to 10 characters, the features are those of the plain search."""
    rng = random.Random(0)
    alphabet = "北京大学生人民中国"
    words = {"".join(rng.choices(alphabet, k=rng.randint(2, 10))) for _ in range(300)}
    prefixes = word_prefixes(words)
    for _ in range(50):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 40)))
        assert dictionary_features(text, words, prefixes) == dictionary_features(text, words)


def test_words_end_at_e_or_s_and_at_the_end_of_the_text():
    assert words_from_tags("我爱北京", "ssbe") == ["我", "爱", "北京"]
    assert words_from_tags("北京人", ["b", "m", "m"]) == ["北京人"]  # cut short: one word
    assert words_from_tags("ab", ["s", "b"]) == ["a", "b"]
    assert words_from_tags("", []) == []
