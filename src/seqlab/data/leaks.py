"""The leak rule: no training text shares a 12-character span with a test text.

A review cut into clauses can put one clause in training and the whole review in the test
set; an exact-match check misses that, so texts are compared by their spans. Normalise a
text by deleting every non-word character (``re.sub(r"\\W+", "", text)``: punctuation,
symbols and whitespace go; CJK characters, letters and digits stay); a text leaks if any of
its 12-character windows is a window of a test text, or, for a test text shorter than 12
characters, if it equals it or (a test text of 4 or more characters) contains it. This is
the rule of the sentiment data's README, applied to every source used for training,
pretraining or validation.

Example:
    >>> rule = LeakRule(["房间很干净，服务也很周到，下次还来。"])
    >>> rule.leaks("服务也很周到下次还来真的很好"), rule.leaks("房间干净")
    (False, False)
    >>> rule.leaks("说实话房间很干净服务也很周到下")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["SPAN", "LeakRule", "normalise"]

SPAN = 12  # characters: a shared span this long is a leak
SHORT_MIN = 4  # a short test text is looked for inside training texts from this length

_NON_WORD = re.compile(r"\W+")


def normalise(text: str) -> str:
    """``text`` without punctuation, symbols or whitespace, as the leak rule compares it."""
    return _NON_WORD.sub("", text)


def _windows(text: str, span: int) -> Iterable[str]:
    return (text[i : i + span] for i in range(len(text) - span + 1))


class LeakRule:
    """Which texts leak into the ``tests`` (see the module docstring): build once from the
    test texts, then ask of each training text."""

    def __init__(self, tests: Iterable[str], span: int = SPAN) -> None:
        self.span = span
        self._windows: set[str] = set()
        self._short: list[str] = []  # normalised test texts shorter than the span
        for text in tests:
            norm = normalise(text)
            if len(norm) >= span:
                self._windows.update(_windows(norm, span))
            elif norm:
                self._short.append(norm)
        self._short_set = frozenset(self._short)

    def leaks(self, text: str) -> bool:
        """Whether ``text`` shares a span with a test text (or holds a short one)."""
        norm = normalise(text)
        if any(w in self._windows for w in _windows(norm, self.span)):
            return True
        if norm in self._short_set:
            return True
        return any(len(s) >= SHORT_MIN and s in norm for s in self._short)

    def keep(self, texts: Sequence[str]) -> list[int]:
        """The indices of the ``texts`` that do not leak."""
        return [i for i, t in enumerate(texts) if not self.leaks(t)]
