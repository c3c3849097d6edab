"""Entity substitution: a city or a counted number swapped on both sides of a pair, never
into a held-out sentence."""

from seqlab.data.augment import NUMBERS, PLACES, substitute_entities


def test_a_city_is_swapped_on_both_sides():
    pairs = [("I live in Boston.", "我住在波士顿。")]
    out = substitute_entities(pairs, copies=5, seed=1)
    assert len(out) == 5 and len(set(out)) == 5
    names = dict(PLACES)
    for english, chinese in out:
        city = chinese.removeprefix("我住在").removesuffix("。")
        assert english == f"I live in {names[city]}."


def test_a_counted_number_is_swapped_and_other_numerals_are_left_alone():
    out = substitute_entities([("I have three children.", "我有三个孩子。")], copies=3, seed=0)
    values = {zh: en for zh, en in NUMBERS.values()}
    for english, chinese in out:
        zh = chinese[2]
        assert chinese == f"我有{zh}个孩子。" and english == f"I have {values[zh]} children."
    # 星期三 is a day, 三十 a larger number, "three" twice is ambiguous: none is copied
    assert substitute_entities([("See you on Wednesday.", "星期三见。")]) == []
    assert substitute_entities([("He is thirty.", "他三十岁。")]) == []
    two = [("Three cats and three dogs.", "三只猫和三只狗。")]
    assert substitute_entities(two) == []
    capital = substitute_entities([("Two cups, please.", "请给我两杯。")], copies=1, seed=0)
    assert capital[0][0].split()[0][0].isupper() and capital[0][0].split()[0] != "Two"


def test_no_copy_equals_a_held_out_sentence():
    pairs = [("I live in Boston.", "我住在波士顿。")]
    every = substitute_entities(pairs, copies=len(PLACES) - 1, seed=0)
    held = ["I live in Tokyo!", "我住在巴黎。"]
    kept = substitute_entities(pairs, copies=len(PLACES) - 1, seed=0, held_out=held)
    assert len(kept) == len(every) - 2
    assert ("I live in Tokyo.", "我住在东京。") not in kept
    assert all("巴黎" not in zh for _, zh in kept)
