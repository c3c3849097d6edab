"""Ready-made Chinese text tools: word segmentation, POS tagging and sentiment.

Each tool is a task of :mod:`seqlab.tasks.text` trained on the corpora of
:mod:`seqlab.text.corpora` by :func:`train` (the recipe below, which
``benchmarks/train_text_models.py`` runs to make the bundled weights):

- :class:`Segmenter`: characters tagged b/m/e/s by a BiLSTM-CRF over character and bigram
  embeddings and dictionary features (the lengths of the training words that begin and end
  at each character); a word ends at e or s.
- :class:`PosTagger`: the segmenter's words, tagged by five word-level BiLSTM-CRFs (seeds 0
  to 4, averaged) over word embeddings (rare words share ``<unk>``) and features: four of
  each word's characters, its shape and the tags it had in training (its lexicon entry).
- :class:`SentimentClassifier`: three BiLSTMs over the characters (and bigrams) of a review,
  max-pooled (seeds 0, 1 and 2, averaged), "pos" or "neg".

User words (``add_word``) are honoured by constrained decoding: the CRF's Viterbi search runs
over only the tag sequences in which the word is one word (b m … e, or s), its left neighbour
ends a word and its right neighbour starts one. The best sequence under those constraints is
returned, not a best sequence patched afterwards. Whitespace in the input is a word boundary
the same way.

People's Daily writes digits and Latin letters full-width ("１９９８年"); the taggers see
half-width ASCII as its full-width form and return the text as given.
"""

from __future__ import annotations

import gzip
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqlab.errors import ConfigError, DataError, check, one_of
from seqlab.metrics import span_scores
from seqlab.tasks.text import SequenceClassifier, SequenceTagger
from seqlab.text.corpora import (
    people_daily_pos,
    people_daily_segmentation,
    sentiment_reviews,
    split_tagging,
    stratified_split,
)

__all__ = [
    "RECIPES",
    "TASKS",
    "PosTagger",
    "Segmenter",
    "SentimentClassifier",
    "evaluate_tool",
    "load_tool",
    "tagging_data",
    "train",
    "weights_path",
]

TASKS = ("segment", "pos", "sentiment")
VAL_LINES = 0.05  # share of the tagging training lines kept for early stopping
POS_MIN_COUNT = 10  # training words seen less often share the <unk> word embedding
POS_LEXICON_TAGS = 3  # a word's lexicon feature: its most frequent training tags, at most 3
DICT_MIN_COUNT = 1  # the segmenter's dictionary: training words seen at least this often
DICT_MAX_LENGTH = 8  # longest dictionary word looked up; lengths of 5 and more read as "5"

# The recipe of the bundled weights: task parameters per tool.
RECIPES: dict[str, dict[str, Any]] = {
    "segment": dict(
        crf=True,
        embedding_dim=64,
        hidden_size=128,
        min_freq=2,
        bigram_dim=16,
        bigram_min_freq=5,
        feature_dim=16,
        dropout=0.3,
        epochs=12,
        batch_size=16,
        lr=3e-3,
        patience=2,
    ),
    "pos": dict(
        crf=True,
        members=5,
        refit=True,  # the validated recipe again, on training + validation lines (see train)
        embedding_dim=64,
        min_freq=POS_MIN_COUNT,
        hidden_size=160,
        feature_dim=32,
        dropout=0.3,
        epochs=10,
        batch_size=16,
        lr=3e-3,
        patience=2,
    ),
    "sentiment": dict(
        members=3,
        embedding_dim=64,
        hidden_size=128,
        min_freq=2,
        bigram_dim=16,
        bigram_min_freq=10,
        pooling="max",
        dropout=0.3,
        epochs=8,
        batch_size=64,
        lr=2e-3,
        patience=2,
    ),
}


def _fullwidth(text: str) -> str:
    """ASCII ! … ~ to the full-width forms People's Daily uses (U+FF01 … U+FF5E)."""
    return text.translate(_FULLWIDTH)


_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def weights_path(task: str) -> Path:
    """The folder of the bundled weights of ``task`` (segment, pos, sentiment)."""
    return Path(str(resources.files("seqlab.text").joinpath("weights", task)))


class _Tool:
    """What every tool shares: its task model (``model``), bundled weights, load and save."""

    _task = ""  # the folder of the bundled weights
    _model: type[SequenceTagger] | type[SequenceClassifier]

    def __init__(self, model: Any) -> None:
        self.model = model

    @classmethod
    def pretrained(cls, device: str = "cpu") -> Any:
        """The bundled model (trained by ``benchmarks/train_text_models.py``)."""
        return cls.load(weights_path(cls._task), device)

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> Any:
        """A tool saved by :meth:`save` (or ``seqlab text train``)."""
        return cls(cls._model.load(path, device))

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        return self.model.save(path, precision)


def _words(chars: str, tags: Sequence[str]) -> list[str]:
    """Group b/m/e/s-tagged characters into words: a word ends at e or s."""
    out: list[str] = []
    start = 0
    for i, tag in enumerate(tags):
        if tag in "es" or i == len(tags) - 1:
            out.append(chars[start : i + 1])
            start = i + 1
    return out


def _dictionary_features(chars: str, dictionary: Container[str]) -> list[tuple[str]]:
    """One feature per character: the lengths of the dictionary words that begin there and
    of those that end there, e.g. "B24E2" (lengths of 5 and more read as 5)."""
    n = len(chars)
    begins, ends = [0] * n, [0] * n  # bit k-2 set: a word of length k (5 = 5 or more)
    for i in range(n):
        for k in range(2, min(DICT_MAX_LENGTH, n - i) + 1):
            if chars[i : i + k] in dictionary:
                bit = 1 << (min(k, 5) - 2)
                begins[i] |= bit
                ends[i + k - 1] |= bit
    return [_PATTERNS[b][e] for b, e in zip(begins, ends, strict=True)]


def _lengths(mask: int) -> str:
    return "".join(str(k + 2) for k in range(4) if mask >> k & 1)


_PATTERNS = [[(f"B{_lengths(b)}E{_lengths(e)}",) for e in range(16)] for b in range(16)]


class _LeaveLineOut:
    """The dictionary as a training line sees it: words counted without that line's own
    occurrences, so that a word found only there looks as unknown as a test word would."""

    def __init__(self, counts: Counter[str], line: Sequence[str]) -> None:
        self.counts, self.line = counts, Counter(line)

    def __contains__(self, word: object) -> bool:
        return self.counts.get(word, 0) - self.line.get(word, 0) >= DICT_MIN_COUNT  # type: ignore[call-overload]


def _read_gz_lines(path: Path) -> list[str]:
    """The lines of a gzipped UTF-8 text beside the weights (none when it is missing)."""
    return gzip.decompress(path.read_bytes()).decode().splitlines() if path.exists() else []


def _write_gz_lines(path: Path, lines: Iterable[str]) -> None:
    """Gzipped with mtime 0: the same lines, the same bytes."""
    path.write_bytes(gzip.compress("".join(f"{x}\n" for x in lines).encode(), mtime=0))


class Segmenter(_Tool):
    """Chinese word segmentation by a character BiLSTM-CRF trained on People's Daily.

    Besides characters and bigrams, each character sees which dictionary words begin and end
    at it (``dictionary``: the training words of two or more characters; saved gzipped as
    ``words.txt.gz`` beside the weights).

    Example:
        >>> seg = Segmenter.pretrained()
        >>> seg.add_word("华清远见")
        >>> seg.cut("我毕业于华清远见成都中心人工智能专业")        # doctest: +SKIP
        ['我', '毕业', '于', '华清远见', '成都', '中心', '人工智能', '专业']
    """

    _task = "segment"
    _model = SequenceTagger
    model: SequenceTagger

    def __init__(self, model: SequenceTagger, dictionary: AbstractSet[str] = frozenset()) -> None:
        super().__init__(model)
        self.dictionary = dictionary
        self.user_words: set[str] = set()
        self._lengths: list[int] = []

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> Any:
        """A segmenter saved by :meth:`save` (weights and its ``words.txt.gz`` dictionary)."""
        words = _read_gz_lines(Path(path) / "words.txt.gz")
        return cls(cls._model.load(path, device), frozenset(words))

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        folder = self.model.save(path, precision)
        if self.model.features_ is not None:
            _write_gz_lines(folder / "words.txt.gz", sorted(self.dictionary))
        return folder

    def _features(self, lines: Sequence[str]) -> list | None:
        if self.model.features_ is None:
            return None
        return [_dictionary_features(line, self.dictionary) for line in lines]

    def add_word(self, word: str) -> None:
        """Make ``word`` one word wherever it occurs (longest user word first, left to
        right), as ``jieba.add_word`` does."""
        if not isinstance(word, str) or not word or any(c.isspace() for c in word):
            raise ConfigError(
                f"word of {type(self).__name__}.add_word must be a non-empty text without "
                f"spaces; got {word!r}. Pass one word, such as '华清远见'."
            )
        self.user_words.add(word)
        self._lengths = sorted({len(w) for w in self.user_words}, reverse=True)

    def _spans(self, chars: str, starts: set[int]) -> list[tuple[int, int]]:
        """Where user words occur: longest first at each position, no overlaps, never across
        a whitespace boundary (``starts`` are the characters that follow whitespace)."""
        spans, i = [], 0
        while i < len(chars):
            for n in self._lengths:
                if chars[i : i + n] in self.user_words and not any(
                    s in starts for s in range(i + 1, i + n)
                ):
                    spans.append((i, i + n))
                    i += n
                    break
            else:
                i += 1
        return spans

    def _allowed(
        self, length: int, spans: Iterable[tuple[int, int]], starts: Iterable[int]
    ) -> torch.Tensor | None:
        """(L, K) tags each character may take, or None when nothing is constrained."""
        labels = self.model.labels_
        position = np.array(labels)
        allow = np.ones((length, len(labels)), dtype=bool)
        constrained = False
        for s in starts:  # a word starts at s: s-1 ends one, s begins one
            allow[s - 1] &= np.isin(position, ["e", "s"])
            allow[s] &= np.isin(position, ["b", "s"])
            constrained = True
        for a, b in spans:
            if b - a == 1:
                allow[a] &= position == "s"
            else:
                allow[a] &= position == "b"
                allow[a + 1 : b - 1] &= position == "m"
                allow[b - 1] &= position == "e"
            if a > 0:
                allow[a - 1] &= np.isin(position, ["e", "s"])
            if b < length:
                allow[b] &= np.isin(position, ["b", "s"])
            constrained = True
        return torch.from_numpy(allow) if constrained else None

    def _decode(self, texts: Sequence[str]) -> list[list[str]]:
        """The words of each text: the CRF's best tags under the user words and whitespace."""
        if isinstance(texts, str):
            raise DataError(
                f"texts of {type(self).__name__} must be a list of texts; got one str. "
                "Wrap it in a list, or use the single-text method."
            )
        chars, allowed = [], []
        for text in texts:
            kept = [(i, c) for i, c in enumerate(text) if not c.isspace()]
            line = "".join(c for _, c in kept)
            # characters right after whitespace start a word
            begins = {j for j in range(1, len(kept)) if kept[j][0] != kept[j - 1][0] + 1}
            chars.append(line)
            allowed.append(self._allowed(len(line), self._spans(line, begins), begins))
        wide = [_fullwidth(c) for c in chars]
        tags = self.model.predict(
            [list(c) for c in wide],
            allowed if any(a is not None for a in allowed) else None,
            self._features(wide),
        )
        return [_words(c, t) for c, t in zip(chars, tags, strict=True)]

    def cut(self, text: str) -> list[str]:
        """The words of one text (whitespace dropped; an empty text has none)."""
        return self.cut_many([text])[0]

    def cut_many(self, texts: Sequence[str]) -> list[list[str]]:
        """The words of each text, decoded in length-sorted batches."""
        return self._decode(texts)

    def evaluate(self, lines: Sequence[Sequence[str]]) -> dict[str, float]:
        """Word precision / recall / F1 (%) on gold-segmented lines (lists of words)."""
        lines = [line for line in lines if line]
        return span_scores(lines, self.cut_many(["".join(line) for line in lines]))


class PosTagger(_Tool):
    """Part-of-speech tags (People's Daily tag set: n, v, ns …) over the words of a segmenter.

    A pipeline: :class:`Segmenter` finds the words, then word-level BiLSTM-CRFs tag them
    (the recipe's ``members``: five, trained alike from seeds 0 to 4, their scores averaged;
    the recipe's ``refit``: trained on the training and validation lines together).
    Words seen :data:`POS_MIN_COUNT` times or more in training have an embedding of their own,
    the others share ``<unk>``. Every word also embeds six features (see
    :func:`_word_features`): its first, second, second-to-last and last character, which
    often tell the part of speech (-化 v, -者 n, -年 t, 邓… nr), its shape (length and kinds of
    character) and its entry in ``lexicon``: the tags it had in training, most frequent first
    ("v|vn"; "-" for a word never seen). Trained without ``refit``, the words first seen in
    the validation lines join the lexicon after training, with the tags they had there; the
    models never saw those entries, but read them as they read those of rare training words.
    The lexicon is saved gzipped as ``tags.txt.gz`` beside the weights. ``add_word`` forces
    user words in the segmenter.

    Example:
        >>> PosTagger.pretrained().tag("我爱北京")                 # doctest: +SKIP
        [('我', 'r'), ('爱', 'v'), ('北京', 'ns')]
    """

    _task = "pos"
    _model = SequenceTagger
    model: SequenceTagger

    def __init__(
        self,
        model: SequenceTagger,
        segmenter: Segmenter | None = None,
        lexicon: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(model)
        self.segmenter = segmenter if segmenter is not None else Segmenter.pretrained()
        self.lexicon = lexicon if lexicon is not None else {}

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> Any:
        """A tagger saved by :meth:`save` (weights and its ``tags.txt.gz`` lexicon), over
        the bundled segmenter."""
        rows = (line.split(" ") for line in _read_gz_lines(Path(path) / "tags.txt.gz"))
        lexicon = {word: tags for word, *tags in rows}
        return cls(cls._model.load(path, device), Segmenter.pretrained(device), lexicon)

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        folder = self.model.save(path, precision)
        rows = (" ".join([w, *tags]) for w, tags in sorted(self.lexicon.items()))
        _write_gz_lines(folder / "tags.txt.gz", rows)
        return folder

    def add_word(self, word: str) -> None:
        """Make ``word`` one word wherever it occurs (see :meth:`Segmenter.add_word`)."""
        self.segmenter.add_word(word)

    def tag(self, text: str) -> list[tuple[str, str]]:
        """(word, POS) pairs of one text."""
        return self.tag_many([text])[0]

    def tag_many(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        lines = self.segmenter.cut_many(texts)
        tags = self.tag_words(lines)
        return [list(zip(w, t, strict=True)) for w, t in zip(lines, tags, strict=True)]

    def tag_words(self, lines: Sequence[Sequence[str]]) -> list[list[str]]:
        """The POS tags of already segmented lines (lists of words)."""
        kept = [[_fullwidth(w) for w in ws] for ws in lines if ws]
        features = None
        if self.model.features_ is not None:
            features = [_word_features(ws, self.lexicon) for ws in kept]
        tagged = self.model.predict(kept, features=features)
        it = iter(tagged)
        return [next(it) if ws else [] for ws in lines]

    def evaluate(self, lines: Sequence[tuple[Sequence[str], Sequence[str]]]) -> dict[str, float]:
        """On (words, tags) lines: ``accuracy`` (%) of the tags given the gold words (the
        usual POS measure) and ``f1`` of (word, tag) pairs from raw text, segmenter included."""
        lines = [(w, t) for w, t in lines if w]
        predicted = self.tag_words([words for words, _ in lines])
        right = [
            p == t
            for (_, tags), ps in zip(lines, predicted, strict=True)
            for p, t in zip(ps, tags, strict=True)
        ]
        joint = span_scores(
            [list(zip(w, t, strict=True)) for w, t in lines],
            self.tag_many(["".join(words) for words, _ in lines]),
        )
        return {"accuracy": 100 * float(np.mean(right)), **joint}


def _shape(word: str) -> str:
    """The length of ``word`` (5 = 5 or more) and the kinds of its characters: h Han, d
    digit, a Latin letter, p anything else; e.g. "2h" for 北京, "5dh" for １９９８年."""
    kinds = {
        "h" if "\u4e00" <= c <= "\u9fff" else "d" if c.isdigit() else "a" if c.isalpha() else "p"
        for c in word
    }
    return f"{min(len(word), 5)}{''.join(sorted(kinds))}"


def _word_features(
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
            _shape(w),
            "|".join(lexicon.get(w, ())[:POS_LEXICON_TAGS]) or "-",
        )
        for w in words
    ]


def _tag_lexicon(counts: Mapping[str, Counter[str]]) -> dict[str, list[str]]:
    """Each word's tags, most frequent first (ties: first seen)."""
    return {w: [t for t, _ in c.most_common()] for w, c in counts.items()}


def _leave_line_out_tags(
    counts: Mapping[str, Counter[str]], words: Sequence[str], tags: Sequence[str]
) -> dict[str, list[str]]:
    """The lexicon as a training line sees it: its words' tags counted without the line's own
    occurrences, so that a word found only there looks as unknown as a new test word."""
    own = Counter(zip(words, tags, strict=True))
    left = {w: Counter({t: n - own[w, t] for t, n in counts[w].items()}) for w in set(words)}
    return _tag_lexicon({w: +c for w, c in left.items()})


class SentimentClassifier(_Tool):
    """Review sentiment, "pos" or "neg", from character BiLSTMs (the recipe's ``members``:
    three, trained alike from seeds 0, 1 and 2, their log-probabilities averaged).

    Example:
        >>> clf = SentimentClassifier.pretrained()
        >>> clf.predict_proba(["房间干净，服务很好", "太差了"]).round(2)    # doctest: +SKIP
        array([[0.03, 0.97], [0.95, 0.05]], dtype=float32)
        >>> clf.labels
        ['neg', 'pos']
    """

    _task = "sentiment"
    _model = SequenceClassifier
    model: SequenceClassifier

    @property
    def labels(self) -> list[str]:
        """The column order of :meth:`predict_proba`."""
        return list(self.model.labels_)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 2) probabilities, columns in the order of ``labels``."""
        if isinstance(texts, str):
            raise DataError(
                "texts of SentimentClassifier.predict_proba must be a list of texts; got one "
                "str. Wrap it in a list: predict_proba([text])."
            )
        return self.model.predict_proba([_chars(t) for t in texts])

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.labels[k] for k in self.predict_proba(texts).argmax(1)]

    def evaluate(self, items: Sequence[tuple[str, str]]) -> dict[str, float]:
        """Accuracy and macro F1 (%) on (text, label) pairs."""
        scores = self.model.evaluate([_chars(t) for t, _ in items], [y for _, y in items])
        return {k: 100 * v for k, v in scores.items()}


def _chars(text: str) -> list[str]:
    return [c for c in text if not c.isspace()]


Tool = Segmenter | PosTagger | SentimentClassifier
_TOOLS: dict[str, type[Segmenter] | type[PosTagger] | type[SentimentClassifier]] = {
    "segment": Segmenter,
    "pos": PosTagger,
    "sentiment": SentimentClassifier,
}


def load_tool(task: str, path: str | Path | None = None, device: str = "cpu") -> Tool:
    """The tool for ``task`` (segment, pos, sentiment): bundled, or saved at ``path``."""
    check("load_tool", {"task": one_of(*TASKS)}, {"task": task})
    cls = _TOOLS[task]
    return cls.pretrained(device) if path is None else cls.load(path, device)


def _position_tags(words: Sequence[str]) -> list[str]:
    return [t for w in words for t in ("s" if len(w) == 1 else "b" + "m" * (len(w) - 2) + "e")]


def tagging_data(task: str, part: str = "train") -> list:
    """The corpus lines of ``task`` and ``part`` (train, val, test): for segment and pos,
    (words, tags) lines (tags None for segment); for sentiment, (text, label) pairs."""
    check(
        "tagging_data",
        {"task": one_of(*TASKS), "part": one_of("train", "val", "test")},
        {"task": task, "part": part},
    )
    if task == "sentiment":
        return dict(
            zip(("train", "val", "test"), stratified_split(sentiment_reviews()[0]), strict=True)
        )[part]
    lines: list[tuple[list[str], list[str] | None]]
    if task == "segment":
        lines = [(_words("".join(c), t), None) for c, t in people_daily_segmentation()]
    else:
        lines = [(words, tags) for words, tags in people_daily_pos()]
    trainval, test = split_tagging(lines)
    n_val = int(len(trainval) * VAL_LINES)
    return {
        "train": trainval[: len(trainval) - n_val],
        "val": trainval[len(trainval) - n_val :],
        "test": test,
    }[part]


def _tagging_data(task: str, lines: list, counts: Any, lexicon: Any = None) -> tuple:
    """Whole lines of full-width words as (tokens, tags, features), ``counts`` taken over
    the training lines (segment: of each word; pos: of each (word, tag) pair).

    segment: characters, b/m/e/s and dictionary features; pos: words, their POS and their
    features (see :func:`_word_features`). The features look words up in ``lexicon`` (the
    segmenter's dictionary, the tagger's tag lexicon), or, when it is None (the training
    lines themselves), in ``counts`` with each line's own words left out. Lines are not cut
    into clauses: a model that never saw a comma inside a sequence tags long lines badly
    (POS accuracy 94 % on clauses fell to 88 % on whole lines)."""
    features: list[Any]
    if task == "segment":
        features = [
            _dictionary_features(
                "".join(ws), _LeaveLineOut(counts, ws) if lexicon is None else lexicon
            )
            for ws, _ in lines
        ]
        return (
            [list("".join(ws)) for ws, _ in lines],
            [_position_tags(ws) for ws, _ in lines],
            features,
        )
    features = [
        _word_features(ws, _leave_line_out_tags(counts, ws, t) if lexicon is None else lexicon)
        for ws, t in lines
    ]
    return [ws for ws, _ in lines], [list(t) for _, t in lines], features


def train(
    task: str,
    encoder: str = "lstm",
    epochs: int | None = None,
    limit: int | None = None,
    verbose: bool = False,
    device: str = "auto",
    **overrides: Any,
) -> Tool:
    """Train the tool for ``task`` on its training split with :data:`RECIPES` (early
    stopping on the validation split). ``limit``: use only the first lines (quick runs).
    With ``refit=True`` (a recipe key, or an override) the training and validation lines
    train together for the recipe's ``epochs``, with no early stopping: the recipe as it was
    validated, refitted on all the lines the test split leaves. Without it, the POS tagger's
    lexicon is that of the training lines plus the words first seen in the validation lines
    (see :class:`PosTagger`)."""
    check("train", {"task": one_of(*TASKS)}, {"task": task})
    params = {
        **RECIPES[task],
        "encoder": encoder,
        "device": device,
        "verbose": verbose,
        **overrides,
    }
    if epochs is not None:
        params["epochs"] = epochs
    refit = params.pop("refit", False)
    train_lines, val_lines = tagging_data(task, "train"), tagging_data(task, "val")
    if limit is not None:
        train_lines, val_lines = train_lines[:limit], val_lines[: max(limit // 10, 1)]
    if refit:  # one training set, the recipe's epochs, nothing held out
        train_lines, val_lines = train_lines + val_lines, []
    if task == "sentiment":
        classifier = SequenceClassifier(**params).fit(
            [_chars(t) for t, _ in train_lines],
            [y for _, y in train_lines],
            validation=([_chars(t) for t, _ in val_lines], [y for _, y in val_lines]),
        )
        return SentimentClassifier(classifier)
    train_lines, val_lines = (
        [([_fullwidth(w) for w in ws], tags) for ws, tags in part if ws]
        for part in (train_lines, val_lines)
    )
    if task == "segment":
        counts: Any = Counter(w for ws, _ in train_lines for w in ws)
        lexicon: Any = frozenset(w for w, n in counts.items() if n >= DICT_MIN_COUNT and len(w) > 1)
    else:
        counts = _tag_counts(train_lines)
        lexicon = _tag_lexicon(counts)
    tokens, targets, features = _tagging_data(task, train_lines, counts)
    tagger = SequenceTagger(**params).fit(
        tokens,
        targets,
        validation=_tagging_data(task, val_lines, counts, lexicon),
        features=features,
    )
    if task == "segment":
        return Segmenter(tagger, lexicon)
    # The validation lines are not test lines: the words they add join the shipped lexicon.
    # A training word keeps its entry, as its tag order is the value the models have learnt.
    new_words = _tag_counts(val_lines, skip=lexicon)
    return PosTagger(tagger, lexicon={**lexicon, **_tag_lexicon(new_words)})


def _tag_counts(lines: list, skip: Container[str] = ()) -> dict[str, Counter[str]]:
    """How often each word of the (words, tags) ``lines`` has each tag; ``skip``: words left out."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for ws, ts in lines:
        for w, t in zip(ws, ts, strict=True):
            if w not in skip:
                counts[w][t] += 1
    return counts


def evaluate_tool(task: str, tool: Tool, part: str = "test") -> dict[str, float]:
    """The tool's scores on ``part`` of its corpus (see each tool's ``evaluate``)."""
    lines = tagging_data(task, part)
    if task == "segment":  # gold words only; their tags are None
        lines = [words for words, _ in lines]
    return tool.evaluate(lines)
