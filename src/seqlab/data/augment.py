"""Entity substitution for a small English–Chinese parallel corpus: a training pair that names
a city, or counts things with a number, is copied with another city or number on both
sides, so that a translator learns to carry a name or a number it saw once or never (in
Tatoeba's training part Beijing appears twice, Shanghai once, Guangzhou never, Boston 90
times). Data augmentation by substitution after Fadaee et al. [1]; a copy equal to a
sentence of the held-out parts is never made.

.. [1] Fadaee, Bisazza & Monz (2017). Data Augmentation for Low-Resource Neural Machine
       Translation. ACL.

Example:
    >>> swapped = substitute_entities([("I live in Boston.", "我住在波士顿。")], copies=2, seed=0)
    >>> len(swapped), all("Boston" not in en and "波士顿" not in zh for en, zh in swapped)
    (2, True)
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence

from seqlab.data.leaks import normalise

__all__ = ["NUMBERS", "PLACES", "substitute_entities"]


def _table(text: str) -> list[tuple[str, str]]:
    """("中文", "English") pairs of a text of "中文=English" items, comma-separated."""
    return [(zh, en) for zh, en in (item.split("=") for item in text.split(", "))]


# (Chinese, English) names of cities, those of the everyday sentences a user types first
PLACES: tuple[tuple[str, str], ...] = tuple(
    _table(
        "北京=Beijing, 上海=Shanghai, 广州=Guangzhou, 深圳=Shenzhen, 天津=Tianjin, "
        "重庆=Chongqing, 成都=Chengdu, 武汉=Wuhan, 南京=Nanjing, 杭州=Hangzhou, "
        "香港=Hong Kong, 台北=Taipei, 苏州=Suzhou, 青岛=Qingdao, 大连=Dalian, "
        "厦门=Xiamen, 长沙=Changsha, 昆明=Kunming, 哈尔滨=Harbin, 沈阳=Shenyang, "
        "郑州=Zhengzhou, 拉萨=Lhasa, 澳门=Macau, 桂林=Guilin, 东京=Tokyo, "
        "波士顿=Boston, 巴黎=Paris, 伦敦=London, 纽约=New York, 柏林=Berlin, "
        "罗马=Rome, 莫斯科=Moscow, 首尔=Seoul, 大阪=Osaka, 京都=Kyoto, 悉尼=Sydney, "
        "芝加哥=Chicago, 洛杉矶=Los Angeles, 旧金山=San Francisco, 多伦多=Toronto, "
        "马德里=Madrid, 维也纳=Vienna, 新加坡=Singapore, 曼谷=Bangkok, 开罗=Cairo, "
        "雅典=Athens, 西雅图=Seattle"
    )
)
# numbers that count (a numeral before a measure word): value -> (Chinese, English)
NUMBERS: dict[int, tuple[str, str]] = dict(
    enumerate(
        _table("两=two, 三=three, 四=four, 五=five, 六=six, 七=seven, 八=eight, 九=nine, 十=ten"),
        start=2,
    )
)
_MEASURES = "个只本杯天年岁次件张位条块瓶辆座双把支家所间首份碗片匹头棵台"
_NUMERALS = "零一二两三四五六七八九十百千万几"
_COUNT = re.compile(
    f"(?<![{_NUMERALS}])([{''.join(z for z, _ in NUMBERS.values())}])(?=[{_MEASURES}])"
)


def _places(english: str, chinese: str) -> list[int]:
    """The entries of PLACES that ``english`` and ``chinese`` both name, once each."""
    return [
        i
        for i, (zh, en) in enumerate(PLACES)
        if chinese.count(zh) == 1 and len(re.findall(rf"\b{re.escape(en)}\b", english)) == 1
    ]


def _number(english: str, chinese: str) -> int | None:
    """The value that ``chinese`` counts with once (a numeral before a measure word) and
    ``english`` writes once as a word, else None."""
    found = _COUNT.findall(chinese)
    if len(found) != 1:
        return None
    value = next(v for v, (zh, _) in NUMBERS.items() if zh == found[0])
    words = re.findall(r"\b(two|three|four|five|six|seven|eight|nine|ten)\b", english.lower())
    return value if words == [NUMBERS[value][1]] else None


def _swap_word(text: str, old: str, new: str) -> str:
    """``text`` with the word ``old`` (any case) replaced by ``new``, capitalised as it was."""

    def swap(found: re.Match[str]) -> str:
        return new.capitalize() if found[0][0].isupper() else new

    return re.sub(rf"\b{old}\b", swap, text, flags=re.IGNORECASE)


def substitute_entities(
    pairs: Sequence[tuple[str, str]],
    copies: int = 2,
    seed: int = 0,
    held_out: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """New (english, chinese) pairs: for each pair of ``pairs`` that names one city of
    :data:`PLACES` on both sides, ``copies`` copies naming other cities; for each that
    counts with one number of :data:`NUMBERS` on both sides, ``copies`` copies with other
    numbers. A copy whose English or Chinese equals (punctuation aside) one of
    ``held_out`` — the sentences of the validation and test parts — is not made."""
    rng = random.Random(seed)
    banned = {normalise(t).lower() for t in held_out}
    out: list[tuple[str, str]] = []

    def add(english: str, chinese: str) -> None:
        if normalise(english).lower() not in banned and normalise(chinese) not in banned:
            out.append((english, chinese))

    for english, chinese in pairs:
        for i in _places(english, chinese):
            zh, en = PLACES[i]
            for j in rng.sample([k for k in range(len(PLACES)) if k != i], copies):
                new_zh, new_en = PLACES[j]
                add(re.sub(rf"\b{re.escape(en)}\b", new_en, english), chinese.replace(zh, new_zh))
        value = _number(english, chinese)
        if value is not None:
            zh, en = NUMBERS[value]
            for other in rng.sample([v for v in NUMBERS if v != value], copies):
                new_zh, new_en = NUMBERS[other]
                new_english = _swap_word(english, en, new_en)
                add(new_english, _COUNT.sub(new_zh, chinese))
    return out
