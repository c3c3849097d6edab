"""How the bundled text tools are trained: the recipes, :func:`train` and its scores.

Each tool is a task of :mod:`seqlab.tasks` trained on a corpus of :mod:`seqlab.data.corpora`
by :func:`train` with its recipe below (``benchmarks/train_text_models.py`` runs them to make
the bundled weights):

- :class:`~seqlab.text.Segmenter`: characters tagged b/m/e/s by a BiLSTM-CRF over character
  and bigram embeddings and dictionary features (the lengths of the training words that
  begin and end at each character).
- :class:`~seqlab.text.PosTagger`: the segmenter's words, tagged by five word-level
  BiLSTM-CRFs (seeds 0 to 4, averaged) over word embeddings (rare words share ``<unk>``) and
  features: four of each word's characters, its shape and the tags it had in training.
- :class:`~seqlab.text.SentimentClassifier`: three BiLSTMs over the characters (and
  bigrams) of a review, max-pooled (seeds 0, 1 and 2, averaged), "pos" or "neg"; or, with
  ``pretrained`` (:data:`TRANSFER`), three LSTMs that start from a character language
  model's layers (``benchmarks/sentiment_transfer.py`` pretrains one and picks between the
  two by validation accuracy).

All train on whole lines: a model that never saw a comma inside a sequence tags long lines
badly (POS accuracy 94 % on clauses fell to 88 % on whole lines).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from seqlab.data import corpora
from seqlab.data.text_features import (
    DICT_MIN_COUNT,
    LeaveLineOut,
    dictionary_features,
    fullwidth,
    leave_line_out_tags,
    position_tags,
    tag_counts,
    tag_lexicon,
    word_features,
)
from seqlab.data.tokens import CharTokenizer
from seqlab.errors import ConfigError, check, one_of
from seqlab.tasks import SequenceClassifier, SequenceTagger
from seqlab.text.pos import PosTagger
from seqlab.text.segment import Segmenter
from seqlab.text.sentiment import SentimentClassifier

__all__ = [
    "POS_MIN_COUNT",
    "RECIPES",
    "TASKS",
    "TRANSFER",
    "evaluate_tool",
    "load_tool",
    "train",
]

TASKS = corpora.CORPORA  # one tool per corpus: segment, pos, sentiment
POS_MIN_COUNT = 10  # training words seen less often share the <unk> word embedding

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

# Sentiment from a pretrained language model: the classifier's own parameters (its encoder
# is the language model's shape); the layers below the head learn at 0.4 times the rate of
# the one above (discriminative learning rates).
TRANSFER: dict[str, Any] = dict(
    members=3,
    pooling="max",
    dropout=0.3,
    epochs=8,  # the first four unfreeze the head, the two layers and the embedding in turn
    batch_size=64,
    lr=2e-3,
    lr_decay=0.4,
    ulmfit=True,
    patience=3,
)

Tool = Segmenter | PosTagger | SentimentClassifier
_TOOLS: dict[str, type[Segmenter] | type[PosTagger] | type[SentimentClassifier]] = {
    "segment": Segmenter,
    "pos": PosTagger,
    "sentiment": SentimentClassifier,
}
_chars = CharTokenizer()


def load_tool(task: str, path: str | Path | None = None, device: str = "cpu") -> Tool:
    """The tool for ``task`` (segment, pos, sentiment): bundled, or saved at ``path``."""
    check("load_tool", {"task": one_of(*TASKS)}, {"task": task})
    cls = _TOOLS[task]
    return cls.pretrained(device) if path is None else cls.load(path, device)


def _tagging_inputs(task: str, lines: list, counts: Any, lexicon: Any = None) -> tuple:
    """Whole lines of full-width words as (tokens, tags, features), ``counts`` taken over
    the training lines (segment: of each word; pos: of each (word, tag) pair).

    segment: characters, b/m/e/s and dictionary features; pos: words, their POS and their
    features. The features look words up in ``lexicon`` (the segmenter's dictionary, the
    tagger's tag lexicon), or, when it is None (the training lines themselves), in
    ``counts`` with each line's own words left out."""
    features: list[Any]
    if task == "segment":
        features = [
            dictionary_features(
                "".join(ws), LeaveLineOut(counts, ws) if lexicon is None else lexicon
            )
            for ws, _ in lines
        ]
        return (
            [list("".join(ws)) for ws, _ in lines],
            [position_tags(ws) for ws, _ in lines],
            features,
        )
    features = [
        word_features(ws, leave_line_out_tags(counts, ws, t) if lexicon is None else lexicon)
        for ws, t in lines
    ]
    return [ws for ws, _ in lines], [list(t) for _, t in lines], features


def train(
    task: str,
    model: str = "lstm",
    epochs: int | None = None,
    limit: int | None = None,
    verbose: bool = False,
    device: str = "auto",
    pretrained: str | Path | None = None,
    **overrides: Any,
) -> Tool:
    """Train the tool for ``task`` on its training split with :data:`RECIPES` (early
    stopping on the validation split); ``model`` is the encoder from the zoo. ``limit``: use
    only the first lines (quick runs). With ``refit=True`` (a recipe key, or an override)
    the training and validation lines train together for the recipe's ``epochs``, with no
    early stopping: the recipe as it was validated, refitted on all the lines the test split
    leaves. Without it, the POS tagger's lexicon is that of the training lines plus the words
    first seen in the validation lines (their tags as there), which the models never saw but
    read as they read those of rare training words. ``pretrained`` (sentiment): the folder
    of a saved recurrent LanguageModel to start from, with the :data:`TRANSFER` recipe (the
    encoder takes its shape, so ``model`` is ignored). ``overrides``: task parameters."""
    check("train", {"task": one_of(*TASKS)}, {"task": task})
    if pretrained is not None and task != "sentiment":
        raise ConfigError(
            f"pretrained of train must be used with the sentiment task; got task {task!r}. "
            "Leave pretrained out for segment and pos.",
            param="pretrained",
        )
    recipe = {**RECIPES[task], "model": model} if pretrained is None else TRANSFER
    params = {**recipe, "device": device, "verbose": verbose, **overrides}
    if epochs is not None:
        params["epochs"] = epochs
    refit = params.pop("refit", False)
    train_lines, val_lines = corpora.split(task, "train"), corpora.split(task, "val")
    if limit is not None:
        train_lines, val_lines = train_lines[:limit], val_lines[: max(limit // 10, 1)]
    if refit:  # one training set, the recipe's epochs, nothing held out
        train_lines, val_lines = train_lines + val_lines, []
    if task == "sentiment":
        classifier = (
            SequenceClassifier(**params)
            if pretrained is None
            else SequenceClassifier.from_language_model(pretrained, **params)
        ).fit(
            [_chars(t) for t, _ in train_lines],
            [y for _, y in train_lines],
            validation=([_chars(t) for t, _ in val_lines], [y for _, y in val_lines]),
        )
        return SentimentClassifier(classifier)
    train_lines, val_lines = (
        [([fullwidth(w) for w in ws], tags) for ws, tags in part if ws]
        for part in (train_lines, val_lines)
    )
    if task == "segment":
        counts: Any = Counter(w for ws, _ in train_lines for w in ws)
        lexicon: Any = frozenset(w for w, n in counts.items() if n >= DICT_MIN_COUNT and len(w) > 1)
    else:
        counts = tag_counts(train_lines)
        lexicon = tag_lexicon(counts)
    tokens, targets, features = _tagging_inputs(task, train_lines, counts)
    tagger = SequenceTagger(**params).fit(
        tokens,
        targets,
        validation=_tagging_inputs(task, val_lines, counts, lexicon),
        features=features,
    )
    if task == "segment":
        return Segmenter(tagger, lexicon)
    # The validation lines are not test lines: the words they add join the shipped lexicon.
    # A training word keeps its entry, as its tag order is the value the models have learnt.
    new_words = tag_counts(val_lines, skip=lexicon)
    return PosTagger(tagger, lexicon={**lexicon, **tag_lexicon(new_words)})


def evaluate_tool(task: str, tool: Tool, part: str = "test") -> dict[str, float]:
    """The tool's scores (%) on ``part`` of its corpus (see each tool's ``evaluate``)."""
    lines = corpora.split(task, part)
    if task == "segment":  # gold words only; their tags are None
        lines = [words for words, _ in lines]
    return tool.evaluate(lines)
