"""Features of Chinese text for the taggers: width, bigrams, b/m/e/s tags, dictionary and
lexicon features.

People's Daily writes digits and Latin letters full-width ("１９９８年"); the taggers see
half-width ASCII as its full-width form (:func:`fullwidth`).

Each function here is plain data in, plain data out (lists of strings): the tasks turn them
into ids with a :class:`~seqlab.data.tokens.Vocab`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from itertools import pairwise

__all__ = [
    "BOS",
    "DICT_MAX_LENGTH",
    "DICT_MIN_COUNT",
    "EOS",
    "POS_LEXICON_TAGS",
    "LeaveLineOut",
    "bigram_edges",
    "dictionary_features",
    "fullwidth",
    "leave_line_out_tags",
    "position_tags",
    "tag_counts",
    "tag_lexicon",
    "word_features",
    "word_prefixes",
    "word_shape",
    "words_from_tags",
]

BOS, EOS = "<s>", "</s>"  # the text's ends, in bigrams
DICT_MIN_COUNT = 1  # a dictionary word: a training word seen at least this often
DICT_MAX_LENGTH = 8  # longest dictionary word looked up; lengths of 5 and more read as "5"
POS_LEXICON_TAGS = 3  # a word's lexicon feature: its most frequent training tags, at most 3

_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def fullwidth(text: str) -> str:
    """ASCII ! … ~ to the full-width forms People's Daily uses (U+FF01 … U+FF5E)."""
    return text.translate(_FULLWIDTH)


def bigram_edges(tokens: Sequence[str]) -> list[str]:
    """The L+1 bigrams of a text of L tokens, the text's ends included: "<s> a", "a b", ...,
    "z </s>" (token t reads edges t and t+1; see :class:`~seqlab.models.text.TextEncoder`).

    Example:
        >>> bigram_edges(["a", "b"])
        ['<s> a', 'a b', 'b </s>']
    """
    padded = [BOS, *tokens, EOS]
    return [f"{a} {b}" for a, b in pairwise(padded)]


def words_from_tags(chars: str, tags: Sequence[str]) -> list[str]:
    """Group b/m/e/s-tagged characters into words: a word ends at e or s.

    Example:
        >>> words_from_tags("我爱北京", ["s", "s", "b", "e"])
        ['我', '爱', '北京']
    """
    ends = [i + 1 for i, tag in enumerate(tags) if tag == "e" or tag == "s"]
    if tags and (not ends or ends[-1] != len(tags)):
        ends.append(len(tags))  # the last word ends with the text, whatever its tag
    return [chars[a:b] for a, b in zip([0, *ends], ends, strict=False)]


def position_tags(words: Sequence[str]) -> list[str]:
    """The b/m/e/s tag of every character of ``words``: the inverse of :func:`words_from_tags`."""
    return [t for w in words for t in ("s" if len(w) == 1 else "b" + "m" * (len(w) - 2) + "e")]


def _lengths(mask: int) -> str:
    return "".join(str(k + 2) for k in range(4) if mask >> k & 1)


_BITS = [0, 0] + [1 << (min(k, 5) - 2) for k in range(2, DICT_MAX_LENGTH + 1)]  # by length
_PATTERNS = [[(f"B{_lengths(b)}E{_lengths(e)}",) for e in range(16)] for b in range(16)]


def dictionary_features(
    chars: str, dictionary: Container[str], prefixes: Container[str] | None = None
) -> list[tuple[str]]:
    """One feature per character: the lengths of the dictionary words that begin there and
    of those that end there, e.g. "B24E2" (lengths of 5 and more read as 5). ``prefixes``
    (optional, :func:`word_prefixes` of the dictionary) stops each look-up at the first
    substring that begins no word, which leaves the features as they are and saves most
    look-ups.

    Example:
        >>> dictionary_features("北京人", {"北京"})
        [('B2E',), ('BE2',), ('BE',)]
    """
    n = len(chars)
    begins, ends = [0] * n, [0] * n  # bit k-2 set: a word of length k (5 = 5 or more)
    for i in range(n - 1):
        stop = i + DICT_MAX_LENGTH if i + DICT_MAX_LENGTH < n else n
        for j in range(i + 2, stop + 1):  # the word chars[i:j]
            piece = chars[i:j]
            if prefixes is not None and piece not in prefixes:
                break
            if piece in dictionary:
                bit = _BITS[j - i]
                begins[i] |= bit
                ends[j - 1] |= bit
    return [_PATTERNS[b][e] for b, e in zip(begins, ends, strict=True)]


def word_prefixes(words: Iterable[str]) -> frozenset[str]:
    """Every prefix of two or more characters (up to DICT_MAX_LENGTH) of ``words``, the words
    themselves included: what :func:`dictionary_features` needs to stop looking early.

    Example:
        >>> sorted(word_prefixes({"北京人"}))
        ['北京', '北京人']
    """
    return frozenset(w[:k] for w in words for k in range(2, min(len(w), DICT_MAX_LENGTH) + 1))


class LeaveLineOut:
    """The dictionary as a training line sees it: words counted without that line's own
    occurrences, so that a word found only there looks as unknown as a test word would."""

    def __init__(self, counts: Counter[str], line: Sequence[str]) -> None:
        self.counts = counts
        self.line = Counter(line)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        return self.counts.get(word, 0) - self.line.get(word, 0) >= DICT_MIN_COUNT


def word_shape(word: str) -> str:
    """The length of ``word`` (5 = 5 or more) and the kinds of its characters: h Han, d
    digit, a Latin letter, p anything else; e.g. "2h" for 北京, "5dh" for １９９８年."""
    kinds = {
        "h" if "\u4e00" <= c <= "\u9fff" else "d" if c.isdigit() else "a" if c.isalpha() else "p"
        for c in word
    }
    return f"{min(len(word), 5)}{''.join(sorted(kinds))}"


def word_features(
    words: Sequence[str], lexicon: Mapping[str, Sequence[str]]
) -> list[tuple[str, ...]]:
    """The features of each (full-width) word: its first, second, second-to-last and last
    character ("-" where the word is too short to have a middle one), its shape and its
    lexicon tags ("-" when it has none)."""
    return [
        (
            w[0],
            w[1] if len(w) > 2 else "-",
            w[-2] if len(w) > 3 else "-",
            w[-1],
            word_shape(w),
            "|".join(lexicon.get(w, ())[:POS_LEXICON_TAGS]) or "-",
        )
        for w in words
    ]


def tag_counts(
    lines: Sequence[tuple[Sequence[str], Sequence[str]]], skip: Container[str] = ()
) -> dict[str, Counter[str]]:
    """How often each word of the (words, tags) ``lines`` has each tag. Words in ``skip``
    are not counted at all (the POS tagger counts only the words its lexicon lacks)."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for ws, ts in lines:
        for w, t in zip(ws, ts, strict=True):
            if w not in skip:
                counts[w][t] += 1
    return counts


def tag_lexicon(counts: Mapping[str, Counter[str]]) -> dict[str, list[str]]:
    """Each word's tags, most frequent first (ties: first seen)."""
    return {w: [t for t, _ in c.most_common()] for w, c in counts.items()}


def leave_line_out_tags(
    counts: Mapping[str, Counter[str]], words: Sequence[str], tags: Sequence[str]
) -> dict[str, list[str]]:
    """The lexicon as a training line sees it: its words' tags counted without the line's own
    occurrences, so that a word found only there looks as unknown as a new test word."""
    own = Counter(zip(words, tags, strict=True))
    left = {w: Counter({t: n - own[w, t] for t, n in counts[w].items()}) for w in set(words)}
    return tag_lexicon({w: +c for w, c in left.items()})
