"""Rhyme and shape of a classical Chinese poem: the rhyme group of a character and a check
of a 绝句 (four lines) or 律诗 (eight lines) — line lengths, and the even lines ending in
one rhyme.

Groups are the fourteen of 中华新韵 (the rhyme table of modern readings) over each
character's most common reading, from pypinyin (the text extra); a poem of the Tang read
in modern Mandarin mostly keeps its rhymes, though some moved (a rhyme of 平水韵 can fall in
two modern groups). Traditional and simplified characters are read alike.

Example:
    >>> rhyme_group("光"), rhyme_group("霜"), rhyme_group("鄉"), rhyme_group("月")
    ('唐', '唐', '唐', '皆')
    >>> check_poem("床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。").rhymes
    True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from seqlab.errors import DataError

__all__ = ["FormCheck", "check_poem", "rhyme_group", "rhyme_groups"]

# 中华新韵's fourteen groups, by the final (pypinyin's strict finals: iou, uei, uen, v for ü)
_GROUPS = {
    "麻": "a ia ua",
    "波": "o e uo io",
    "皆": "ie ve ue",
    "开": "ai uai",
    "微": "ei uei ui",
    "豪": "ao iao",
    "尤": "ou iou iu",
    "寒": "an ian uan van",
    "文": "en in uen un vn",
    "唐": "ang iang uang",
    "庚": "eng ing ong iong ueng",
    "齐": "i v er",
    "支": "-i",  # the i of zhi chi shi ri zi ci si
    "姑": "u",
}
GROUP_OF_FINAL = {final: group for group, finals in _GROUPS.items() for final in finals.split()}
_BUZZ = {"zh", "ch", "sh", "r", "z", "c", "s"}  # initials whose i is 支's
_LINE = re.compile(r"[^，。？！；、,.?!;\s]+")


@functools.lru_cache(maxsize=65536)
def rhyme_group(char: str) -> str | None:
    """The 中华新韵 group of ``char``'s most common reading, or None for a character that
    pypinyin cannot read (punctuation, Latin letters)."""
    from pypinyin import Style, pinyin

    read = pinyin(char, style=Style.FINALS, strict=True, errors=lambda _: "")
    if not read or not read[0][0]:  # nothing pypinyin can read
        return None
    final = read[0][0]
    initial = pinyin(char, style=Style.INITIALS, strict=True)[0][0]
    if final == "i" and initial in _BUZZ:
        final = "-i"
    return GROUP_OF_FINAL.get(final)


def rhyme_groups(tokens: Sequence[str]) -> list[str | None]:
    """:func:`rhyme_group` of each single-character token; None for the others."""
    return [rhyme_group(t) if len(t) == 1 else None for t in tokens]


@dataclass(frozen=True)
class FormCheck:
    """What :func:`check_poem` found: each line's length, whether they are all ``length``,
    the rhyme group that ends each even line, and whether those agree."""

    lengths: list[int]
    lengths_ok: bool
    rhyme_ends: list[str | None]
    rhymes: bool


def check_poem(poem: str, length: int | None = None, lines: int | None = None) -> FormCheck:
    """The form of ``poem`` (lines split at Chinese or Latin punctuation and line breaks)
    against ``lines`` lines of ``length`` characters (default: those of its first line, and
    4 or 8, whichever is nearer): line lengths, and the even lines (2, 4, ...) ending in
    one rhyme group, as a 绝句 or 律诗 must."""
    found = _LINE.findall(poem)
    if not found:
        raise DataError(
            f"poem of check_poem must hold at least one line of characters; got {poem!r}. "
            "Give the poem's text.",
            param="poem",
        )
    length = length or len(found[0])
    lines = lines or (4 if len(found) <= 6 else 8)
    lengths = [len(line) for line in found]
    ends = [rhyme_group(line[-1]) for line in found[1::2]]
    return FormCheck(
        lengths=lengths,
        lengths_ok=len(found) == lines and all(n == length for n in lengths),
        rhyme_ends=ends,
        rhymes=bool(ends) and None not in ends and len(set(ends)) == 1,
    )
