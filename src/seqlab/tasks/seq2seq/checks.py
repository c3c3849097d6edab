"""What :class:`~seqlab.tasks.Seq2Seq` checks before it trains or decodes, and its
teacher-forcing schedule: the parameter table, the pairs, the decoding settings."""

from __future__ import annotations

import math
from collections.abc import Sequence

from seqlab.data.tokens import TOKENS, tokenize
from seqlab.errors import DataError, Rule, check, one_of, positive_int, probability
from seqlab.models.seq2seq import ATTENTIONS

__all__ = ["RULES", "SCHEDULES", "SELECT", "check_decoding", "check_pairs", "teacher_forcing_at"]

SELECT = ("loss", "exact", "bleu", "chrf")
SCHEDULES = ("constant", "linear", "inverse_sigmoid")

RULES = {
    "model": one_of("rnn", "lstm", "gru", "transformer"),
    "attention": one_of(*ATTENTIONS),
    "source_tokens": one_of(*TOKENS),
    "target_tokens": one_of(*TOKENS),
    "embedding_dim": positive_int(),
    "hidden_size": positive_int(),
    "num_layers": positive_int(),
    "num_heads": positive_int(),
    "dropout": probability(),
    "teacher_forcing": Rule("in [0, 1]", lambda v: 0 <= v <= 1, "Use 1 for teacher forcing."),
    "schedule": one_of(*SCHEDULES),
    "label_smoothing": probability(),
    "min_freq": positive_int(),
    "max_length": positive_int(),
    "select": one_of(*SELECT),
    "val_size": Rule("a fraction in (0, 1)", lambda v: 0 < v < 1),
    "warmup": Rule("None or an int >= 0", lambda v: v is None or (isinstance(v, int) and v >= 0)),
}


def teacher_forcing_at(epoch: int, epochs: int, low: float, schedule: str) -> float:
    """The teacher-forcing ratio of ``epoch`` (1-based) of ``epochs`` under ``schedule``:
    ``low`` throughout ("constant"); "linear" from 1 at the first epoch to ``low`` at the
    last; or "inverse_sigmoid", Bengio et al.'s k / (k + exp(e / k)) (k = epochs / 5)
    rescaled to fall from 1 towards ``low``."""
    if schedule == "constant" or epochs <= 1:
        return low
    progress = (epoch - 1) / (epochs - 1)
    if schedule == "linear":
        return 1 - (1 - low) * progress
    k = max(epochs / 5, 1.0)
    decay = k / (k + math.exp((epoch - 1) / k))
    return low + (1 - low) * decay / (k / (k + 1))


def check_pairs(
    sources: Sequence[str],
    targets: Sequence[str],
    what: str,
    source_tokens: str,
    target_tokens: str,
) -> None:
    """Refuse pairs that cannot train: not lists, unequal counts, an empty text."""
    if isinstance(sources, str) or isinstance(targets, str):
        raise DataError(
            f"sources of Seq2Seq.{what} must be lists of texts; got a single text. Wrap it "
            "in a list.",
            param="sources",
        )
    if len(sources) != len(targets) or not sources:
        raise DataError(
            f"data of Seq2Seq.{what} must be equally many sources and targets, at least "
            f"one; got {len(sources)} sources and {len(targets)} targets. Pass matching "
            "lists.",
            param="data",
        )
    for side, texts, kind in (
        ("sources", sources, source_tokens),
        ("targets", targets, target_tokens),
    ):
        for i, t in enumerate(texts):
            if not isinstance(t, str) or not tokenize(t, kind):
                raise DataError(
                    f"{side} of Seq2Seq.{what} must be non-empty texts; got {t!r} at row "
                    f"{i}. Remove that pair.",
                    param=side,
                )


def check_decoding(sources: Sequence[str], beam: int, n_best: int, alpha: float) -> None:
    """Refuse decoding settings out of range, or a single text given for a list."""
    rules = {
        "beam": positive_int(),
        "n_best": Rule(f"a positive integer ≤ beam={beam}", lambda v: 0 < v <= beam),
        "alpha": Rule("a number ≥ 0", lambda v: v >= 0, "Use 0 for no length penalty."),
    }
    check("Seq2Seq.predict", rules, {"beam": beam, "n_best": n_best, "alpha": alpha})
    if isinstance(sources, str):
        raise DataError(
            "sources of Seq2Seq.predict must be a list of texts; got a single text. Wrap "
            "it in a list.",
            param="sources",
        )
