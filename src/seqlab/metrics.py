"""Forecast metrics, in the data's own units, overall and per horizon step; span F1 for
segmentation and tagging; word and token error rates, BLEU and chrF for sequence to
sequence.

Arrays are (N, H, C): N forecast origins, H steps, C target columns.

.. [1] Hyndman & Koehler (2006). Another look at measures of forecast accuracy. International
       Journal of Forecasting 22(4). (MASE: errors scaled by the in-sample naive MAE.)
.. [2] Post (2018). A Call for Clarity in Reporting BLEU Scores. WMT. (sacreBLEU.)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "METRICS",
    "char_ngram_floors",
    "corpus_bleu_chrf",
    "coverage",
    "forecast_metrics",
    "interval_score",
    "naive_scale",
    "owa",
    "pinball",
    "seasonal_scale",
    "sequence_scores",
    "series_errors",
    "span_scores",
    "weighted_quantile_loss",
]

METRICS = ("mse", "rmse", "mae", "mape", "smape", "mase", "direction")


def naive_scale(train: np.ndarray) -> np.ndarray:
    """MASE's denominator per column: the mean |y_t - y_{t-1}| over the training rows."""
    scale = np.abs(np.diff(train, axis=0)).mean(axis=0)
    return np.where(scale > 0, scale, 1.0)


def seasonal_scale(history: np.ndarray, m: int = 1) -> float:
    """M4's MASE denominator of one series: the mean |x_t - x_{t-m}| over its history."""
    scale = float(np.abs(history[m:] - history[:-m]).mean()) if len(history) > m else 0.0
    return scale if scale > 0 else 1.0


def series_errors(y: np.ndarray, f: np.ndarray, scale: np.ndarray) -> dict[str, np.ndarray]:
    """sMAPE (%) and MASE per series, M4's way, for truths and forecasts (S, H) and each
    series' :func:`seasonal_scale` (S,): sMAPE = mean of 200·|y - f| / (|y| + |f|)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = np.abs(y) + np.abs(f)
        sape = np.where(denom > 0, 200 * np.abs(y - f) / denom, 0.0)
    return {"smape": sape.mean(axis=1), "mase": np.abs(y - f).mean(axis=1) / scale}


def owa(smape: float, mase: float, smape_naive2: float, mase_naive2: float) -> float:
    """M4's overall weighted average: the mean of sMAPE and MASE, each relative to Naive2's."""
    return (smape / smape_naive2 + mase / mase_naive2) / 2


def interval_score(
    y: np.ndarray, lo: np.ndarray, hi: np.ndarray, scale: np.ndarray, level: float = 95
) -> np.ndarray:
    """M4's MSIS per series for (S, H) bounds at ``level`` %: the mean over steps of
    (U - L) + (2/a)(L - y)[y < L] + (2/a)(y - U)[y > U], a = 1 - level/100, over the scale."""
    a = 1 - level / 100
    score = (hi - lo) + (2 / a) * (lo - y) * (y < lo) + (2 / a) * (y - hi) * (y > hi)
    return score.mean(axis=1) / scale


def coverage(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """The share (%) of truths inside [lo, hi]."""
    return float(100 * np.mean((y >= lo) & (y <= hi)))


def pinball(y: np.ndarray, q_pred: np.ndarray, q: float) -> float:
    """The mean pinball (quantile) loss of forecasts of the q-quantile."""
    d = y - q_pred
    return float(np.mean(np.maximum(q * d, (q - 1) * d)))


def weighted_quantile_loss(y: np.ndarray, quantiles: dict[float, np.ndarray]) -> float:
    """Mean weighted quantile loss (GluonTS's mean_wQuantileLoss): per quantile q,
    2·Σ pinball / Σ|y|, averaged over the quantiles."""
    total = np.abs(y).sum()
    losses = [
        2 * np.sum(np.maximum(q * (y - p), (q - 1) * (y - p))) / total for q, p in quantiles.items()
    ]
    return float(np.mean(losses))


def _reduce(y: np.ndarray, p: np.ndarray, last: np.ndarray, scale: np.ndarray, axis) -> dict:
    err = p - y
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.where(y != 0, np.abs(err) / np.abs(y), 0.0)
        denom = np.abs(y) + np.abs(p)
        sape = np.where(denom > 0, 2 * np.abs(err) / denom, 0.0)
    mse = np.mean(err**2, axis=axis)
    # Direction: does the forecast move the same way from the last observed value as the truth?
    same = np.sign(p - last[:, None, :]) == np.sign(y - last[:, None, :])
    return {
        "mse": mse,
        "rmse": np.sqrt(mse),
        "mae": np.mean(np.abs(err), axis=axis),
        # MAPE is undefined where the truth is 0; those points are left out of its mean.
        "mape": 100 * np.sum(ape, axis=axis) / np.maximum(np.sum(y != 0, axis=axis), 1),
        "smape": 100 * np.mean(sape, axis=axis),
        "mase": np.mean(np.abs(err) / scale, axis=axis),
        "direction": 100 * np.mean(same, axis=axis),
    }


def forecast_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, last: np.ndarray, scale: np.ndarray
) -> tuple[dict[str, float], pd.DataFrame]:
    """All of :data:`METRICS` overall, and per step as a DataFrame indexed by step 1..H.

    ``last`` (N, C) is the last observed value before each origin (for direction accuracy),
    ``scale`` (C,) the MASE denominator from :func:`naive_scale`.
    """
    overall = {k: float(v) for k, v in _reduce(y_true, y_pred, last, scale, None).items()}
    per_step = pd.DataFrame(_reduce(y_true, y_pred, last, scale, (0, 2)))
    per_step.index = pd.RangeIndex(1, y_true.shape[1] + 1, name="step")
    return overall, per_step


def span_scores(gold: Sequence[Sequence[Any]], predicted: Sequence[Sequence[Any]]) -> dict:
    """Span precision, recall and F1 (in %) of segmented lines, the SIGHAN way: each line is
    a list of words (or of (word, tag) pairs); a predicted word counts when the same span of
    the line (and the same tag) is in the gold line."""

    def spans(words: Sequence[Any]) -> set[tuple[int, int, str]]:
        out, start = set(), 0
        for w in words:
            word, tag = (w, "") if isinstance(w, str) else w
            out.add((start, start + len(word), tag))
            start += len(word)
        return out

    hit = n_gold = n_pred = 0
    for g, p in zip(gold, predicted, strict=True):
        gs, ps = spans(g), spans(p)
        hit, n_gold, n_pred = hit + len(gs & ps), n_gold + len(gs), n_pred + len(ps)
    precision, recall = 100 * hit / max(n_pred, 1), 100 * hit / max(n_gold, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": precision, "recall": recall, "f1": f1}


def char_ngram_floors(
    train: Sequence[str], heldout: Sequence[str], weight: float = 0.8
) -> dict[str, float]:
    """Bits per character of the held-out documents under two count models of the training
    documents: the floors a language model has to beat.

    ``unigram``: add-one counts over the characters of both parts. ``bigram``: ``weight`` ×
    the bigram's relative frequency + (1 − ``weight``) × that unigram (Jelinek–Mercer
    interpolation); a document's first character has no left neighbour and is scored by the
    unigram. With ``weight`` 0.8 these are the floors quoted for Tiny Shakespeare (4.829 and
    3.685 bits per character on nanoGPT's split).

    Example:
        >>> floors = char_ngram_floors(["abab"], ["ab"])
        >>> floors["bigram"] < floors["unigram"]
        True
    """
    chars = Counter(c for doc in train for c in doc)
    pairs = Counter(p for doc in train for p in pairwise(doc))
    left = Counter(a for doc in train for a in doc[:-1])
    vocabulary = len(set(chars) | {c for doc in heldout for c in doc})
    total = sum(chars.values())

    def unigram(c: str) -> float:
        return (chars[c] + 1) / (total + vocabulary)

    uni = bi = 0.0
    count = 0
    for doc in heldout:
        for i, c in enumerate(doc):
            p_uni = unigram(c)
            uni -= math.log2(p_uni)
            if i == 0:
                bi -= math.log2(p_uni)
            else:
                a = doc[i - 1]
                p_pair = pairs[a, c] / left[a] if left[a] else 0.0
                bi -= math.log2(weight * p_pair + (1 - weight) * p_uni)
            count += 1
    return {"unigram": uni / max(count, 1), "bigram": bi / max(count, 1), "characters": count}


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def corpus_bleu_chrf(
    predictions: Sequence[str], references: Sequence[Sequence[str]], tokenize: str = "auto"
) -> dict[str, float]:
    """sacreBLEU's corpus BLEU and chrF [2] of ``predictions`` against one or more
    ``references`` each (a text may have fewer references than another). ``tokenize``
    "auto" is sacreBLEU's "zh" tokenizer when the references hold Chinese characters, else
    its default "13a". Also returns the signature of the BLEU settings.

    Example:
        >>> round(corpus_bleu_chrf(["we go to the park"], [["we go to the park"]])["bleu"])
        100
    """
    from sacrebleu.metrics import BLEU, CHRF

    if tokenize == "auto":
        chinese = any(_HAN.search(r) for refs in references for r in refs)
        tokenize = "zh" if chinese else "13a"
    most = max((len(r) for r in references), default=1)
    streams = [[r[k] if k < len(r) else None for r in references] for k in range(most)]
    bleu = BLEU(tokenize=tokenize)
    b = bleu.corpus_score(list(predictions), streams)  # type: ignore[arg-type]
    c = CHRF().corpus_score(list(predictions), streams)  # type: ignore[arg-type]
    return {"bleu": b.score, "chrf": c.score, "signature": str(bleu.get_signature())}


def sequence_scores(
    predictions: Sequence[str],
    references: Sequence[Sequence[str]],
    tokenize: Callable[[str], list[str]],
) -> dict[str, Any]:
    """Scores of output texts against one or more correct ``references`` each:

    - ``exact``: the share of outputs equal to one of their references (in %, as every rate
      of seqlab); ``wer`` = 100 − exact, the word error rate of grapheme-to-phoneme (a word is
      right when its pronunciation matches any of its references, as g2p-seq2seq scores it);
    - ``per``: the token (phoneme) error rate, Σ edit distance to the closest reference (the
      first listed of equally close ones) over Σ that reference's length, in ``tokenize``'s
      tokens, in %;
    - ``bleu``, ``chrf`` and the BLEU ``signature`` (:func:`corpus_bleu_chrf`); ``n``.

    Example:
        >>> s = sequence_scores(["AH B", "K"], [["AH B", "AA B"], ["G"]], str.split)
        >>> s["wer"], round(s["per"], 2)
        (50.0, 33.33)
    """
    from rapidfuzz.distance import Levenshtein

    exact = errors = length = 0
    for p, refs in zip(predictions, references, strict=True):
        exact += p.strip() in {r.strip() for r in refs}
        tokens = tokenize(p)
        # the closest reference; of equally close ones, the first listed
        best = min(
            ((Levenshtein.distance(tokens, ref), len(ref)) for ref in map(tokenize, refs)),
            key=lambda d: d[0],
        )
        errors, length = errors + best[0], length + best[1]
    n = len(predictions)
    return {
        "exact": 100 * exact / max(n, 1),
        "wer": 100 - 100 * exact / max(n, 1),
        "per": 100 * errors / max(length, 1),
        **corpus_bleu_chrf(predictions, references),
        "n": n,
    }
