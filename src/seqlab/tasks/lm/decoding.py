"""Choosing a language model's next tokens: sampling filters, and poem forms enforced while
decoding (beam search is the tasks' one, :mod:`seqlab.tasks.search`).

A :class:`Form` is a classical poem's shape — lines of a fixed number of characters, each
closed by its punctuation, optionally acrostic (藏头诗) — written out as one template
position per character. Decoding applies it as a mask on the next-token logits, so every
sample has the form by construction; none is drawn and thrown away.

.. [1] Holtzman et al. (2020). The Curious Case of Neural Text Degeneration. ICLR.
       (Nucleus, top-p, sampling.)

where:
    V  vocabulary
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from seqlab.errors import ConfigError, DataError, Rule, check, positive_int

__all__ = [
    "HANZI",
    "Form",
    "Rhymer",
    "check_settings",
    "filter_logits",
    "sample",
]

# Temperatures below this sample as greedy: the distribution is the argmax to float32
# precision, and logits divided by 1e-40 overflow to inf (a NaN softmax).
GREEDY_BELOW = 1e-6

HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
MAX_LINE = 15  # the longest line a form may ask for (classical lines have 3 to 11)
COMMA, STOP = "，", "。"


@dataclass(frozen=True)
class Form:
    """``lines`` lines of ``length`` characters, each followed by "，" (odd lines) or "。"
    (even lines and the last): "5x4" is a five-character quatrain (五言绝句), "7x8" a
    seven-character regulated verse (七言律诗). With ``acrostic``, line i begins with its
    i-th character.

    Example:
        >>> Form.parse("5x2", acrostic="春夏").template()
        ['春', None, None, None, None, '，', '夏', None, None, None, None, '。']
    """

    length: int
    lines: int
    acrostic: str = ""

    @classmethod
    def parse(cls, form: str | None, acrostic: str | None = None) -> Form | None:
        """The form of ``form`` ("LxN": N lines of L characters; "L": as many lines as the
        acrostic has characters, else 4) and ``acrostic``; None when neither is given."""
        if not form and not acrostic:
            return None
        acrostic = acrostic or ""
        found = re.fullmatch(r"\s*(\d+)\s*(?:[x×*]\s*(\d+))?\s*", form or "5")
        if found is None:
            raise ConfigError(
                f"form of generate must be 'LxN' (N lines of L characters), e.g. '5x4' or "
                f"'7x8'; got {form!r}. Use '5x4' for a five-character quatrain.",
                param="form",
            )
        length = int(found.group(1))
        lines = int(found.group(2)) if found.group(2) else len(acrostic) or 4
        if not 1 <= length <= MAX_LINE or not 1 <= lines <= 64:
            raise ConfigError(
                f"form of generate must have lines of 1 to {MAX_LINE} characters and 1 to 64 "
                f"lines; got {form!r}. Classical lines have 4, 5 or 7 characters: try '5x4'.",
                param="form",
            )
        if acrostic and len(acrostic) != lines:
            raise ConfigError(
                f"acrostic of generate must give one character per line of the form; got "
                f"{len(acrostic)} characters for {lines} lines ({form!r}). Give {lines} "
                f"characters, or the form '{length}' alone.",
                param="acrostic",
            )
        if acrostic and not all(HANZI.fullmatch(c) for c in acrostic):
            bad = next(c for c in acrostic if not HANZI.fullmatch(c))
            raise DataError(
                f"acrostic of generate must be Chinese characters; got {bad!r} in "
                f"{acrostic!r}. Give one character per line.",
                param="acrostic",
            )
        return cls(length, lines, acrostic)

    def template(self) -> list[str | None]:
        """One entry per character of the poem: the character it must be, or None where
        any Chinese character may stand."""
        out: list[str | None] = []
        for i in range(self.lines):
            line: list[str | None] = [None] * self.length
            if self.acrostic:
                line[0] = self.acrostic[i]
            last = i == self.lines - 1
            out += [*line, STOP if i % 2 or last else COMMA]
        return out

    def check_prefix(self, prefix: str) -> None:
        """Refuse a ``prefix`` this form cannot continue, naming the first character that
        breaks it."""
        template = self.template()
        if len(prefix) > len(template):
            raise DataError(
                f"prefix of generate must fit the form {self.length}x{self.lines} "
                f"({len(template)} characters with punctuation); got {len(prefix)}. Shorten "
                "it or choose a longer form.",
                param=("prefix", "form"),
            )
        for i, (char, want) in enumerate(zip(prefix, template, strict=False)):
            fits = HANZI.fullmatch(char) if want is None else char == want
            if not fits:
                need = "a Chinese character" if want is None else repr(want)
                raise DataError(
                    f"prefix of generate must fit the form {self.length}x{self.lines}: its "
                    f"character {i + 1} must be {need}; got {char!r} (lines of {self.length} "
                    "characters, each closed by ， or 。). Fix the prefix or the form.",
                    param=("prefix", "form"),
                )

    def masks(self, itos: Sequence[str], start: int) -> list[Tensor]:
        """Per position from ``start`` on, the (V,) bool mask of the tokens allowed there."""
        hanzi = torch.tensor([bool(HANZI.fullmatch(t)) for t in itos])
        if not hanzi.any():
            raise DataError(
                "form of generate needs a model that has seen Chinese characters; got one whose "
                f"{len(itos)} tokens hold none. Leave form and acrostic out for this model.",
                param="form",
            )
        stoi = {t: i for i, t in enumerate(itos)}
        out = []
        for want in self.template()[start:]:
            if want is None:
                out.append(hanzi)
                continue
            if want not in stoi:
                raise DataError(
                    f"acrostic of generate must use characters the model has seen; got "
                    f"{want!r}, which its training texts never had. Choose another.",
                    param="acrostic",
                )
            mask = torch.zeros(len(itos), dtype=torch.bool)
            mask[stoi[want]] = True
            out.append(mask)
        return out

    def rhyme_ends(self) -> list[int]:
        """The template positions of the even lines' last characters (lines 2, 4, ...)."""
        return [(i + 1) * (self.length + 1) - 2 for i in range(1, self.lines, 2)]

    def rhymer(self, itos: Sequence[str], prefix: str) -> Rhymer:
        """For sampling after ``prefix``: (position i from the prefix's end, tokens picked)
        → the (V,) mask of the characters that rhyme with line 2's last one (one
        :mod:`seqlab.data.rhyme` group; a character not yet used as a rhyme while one is
        left) where lines 4, 6, ... end, else None."""
        from seqlab.data.rhyme import rhyme_group, rhyme_groups

        groups = rhyme_groups(itos)
        ends, start = self.rhyme_ends(), len(prefix)

        def allowed(i: int, picked: Sequence[int]) -> Tensor | None:
            if start + i not in ends[1:]:
                return None
            used = [
                prefix[e] if e < start else itos[picked[e - start]] for e in ends if e < start + i
            ]
            group = rhyme_group(used[0])
            if group is None:
                return None
            same = torch.tensor([g == group for g in groups])
            fresh = same & torch.tensor([t not in used for t in itos])
            return fresh if fresh.any() else same  # a rhyme used again when none is left

        return allowed


Rhymer = Callable[[int, Sequence[int]], "Tensor | None"]

_SETTINGS = {
    "max_tokens": positive_int(),
    "temperature": Rule("a number ≥ 0", lambda v: v >= 0, "Use 0 for greedy."),
    "top_k": Rule("None or a positive integer", lambda v: v is None or v > 0),
    "top_p": Rule("None or in (0, 1]", lambda v: v is None or 0 < v <= 1),
    "beam": positive_int(),
}
Step = Callable[[Tensor], Tensor]  # a token (1,) fed → the next logits (1, V)


def check_settings(
    where: str,
    *,
    max_tokens: int,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    beam: int,
) -> None:
    """Refuse decoding settings out of range, or sampling settings given to beam search."""
    check(
        where,
        _SETTINGS,
        {
            "max_tokens": max_tokens,
            "temperature": temperature,
            "top_k": top_k,
            "top_p": top_p,
            "beam": beam,
        },
    )
    if beam > 1 and (temperature != 1.0 or top_k is not None or top_p is not None):
        raise ConfigError(
            f"beam of {where} searches for the most probable text, so it takes no sampling "
            f"settings; got beam={beam} with temperature, top_k or top_p. Leave those unset, "
            "or use beam=1.",
            param="beam",
        )


def sample(
    step: Step,
    logits: Tensor,
    *,
    masks: Sequence[Tensor],
    end: int,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    generator: torch.Generator,
    rhymer: Rhymer | None = None,
) -> list[int]:
    """Tokens drawn one at a time, position i from what ``masks[i]`` (V,) allows (and what
    ``rhymer(i, picked)`` allows where it answers, see :meth:`Form.rhymer`), until the
    token ``end`` or the last mask. ``logits`` (V,) follow the prefix; ``step(token (1,))``
    feeds a token and returns the next logits (1, V). ``temperature`` 0 is greedy, and so is
    any below GREEDY_BELOW (dividing logits by it would overflow float32)."""
    picked: list[int] = []
    for i, mask in enumerate(masks):
        rhyming = None if rhymer is None else rhymer(i, picked)
        if rhyming is not None and (mask & rhyming).any():
            mask = mask & rhyming
        last = logits.float().cpu().masked_fill(~mask, -math.inf)
        if temperature < GREEDY_BELOW:
            nxt = int(last.argmax())
        else:
            probs = filter_logits(last, temperature, top_k, top_p)
            nxt = int(torch.multinomial(probs, 1, generator=generator))
        picked.append(nxt)
        if nxt == end:
            break
        logits = step(torch.tensor([nxt]))[0]
    return picked


def filter_logits(
    logits: Tensor, temperature: float, top_k: int | None, top_p: float | None
) -> Tensor:
    """The next-token probabilities (V,) of ``logits`` (V,) at ``temperature`` (> 0), kept
    to the ``top_k`` most probable tokens and/or the smallest set whose probability reaches
    ``top_p`` [1], renormalised."""
    logits = logits / temperature
    if top_k is not None:
        kth = torch.topk(logits, min(top_k, len(logits))).values[-1]
        logits = logits.masked_fill(logits < kth, -math.inf)
    probs = logits.softmax(-1)
    if top_p is not None:
        sorted_p, order = probs.sort(descending=True)
        outside = sorted_p.cumsum(0) - sorted_p >= top_p  # past the smallest nucleus
        probs[order[outside]] = 0.0
        probs = probs / probs.sum()
    return probs
