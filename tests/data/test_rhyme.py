"""Rhyme groups of 中华新韵 and the form check of a 绝句 or 律诗."""

import pytest

from seqlab.data.rhyme import check_poem, rhyme_group, rhyme_groups
from seqlab.errors import DataError


@pytest.mark.parametrize(
    ("chars", "group"),
    [
        ("光霜鄉長江", "唐"),  # ang, iang, uang
        ("知時詩日四", "支"),  # the buzzing i after zh ch sh r z c s
        ("西衣雨女", "齐"),  # i and ü
        ("月雪夜", "皆"),
        ("流樓愁秋", "尤"),
        ("春人雲", "文"),
    ],
)
def test_characters_fall_in_their_group_in_either_script(chars, group):
    assert {rhyme_group(c) for c in chars} == {group}


def test_what_cannot_be_read_has_no_group():
    assert rhyme_groups(["，", "a", "春風", "風"]) == [None, None, None, "庚"]


def test_a_quatrain_that_rhymes_and_one_that_does_not():
    good = check_poem("白日依山盡，黃河入海流。\n欲窮千里目，更上一層樓。")
    assert good.lengths == [5, 5, 5, 5] and good.lengths_ok
    assert good.rhyme_ends == ["尤", "尤"] and good.rhymes
    bad = check_poem("白日依山盡，黃河入海流。欲窮千里目，更上一層天。")
    assert bad.rhyme_ends == ["尤", "寒"] and not bad.rhymes
    short = check_poem("白日依山盡，黃河入海。", 5, 2)
    assert short.lengths == [5, 4] and not short.lengths_ok
    assert not check_poem("白日依山盡，黃河入海流。", 5, 4).lengths_ok  # two lines of four


def test_a_poem_without_characters_is_one_sentence():
    with pytest.raises(DataError, match=r"^poem of check_poem must hold at least one line"):
        check_poem("，。 ")
