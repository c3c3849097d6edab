"""How far do models without pretrained knowledge get on the sentiment labels?

Linear models on n-grams of the training reviews, each scored on the 1,736
validation reviews, next to the bundled classifier (three character BiLSTMs):

- TF-IDF of character 1–3-grams, of jieba word 1–2-grams, and of both, into logistic
  regression (C in 1, 4, 16);
- NB-LR (Wang and Manning's NBSVM with a logistic loss): binary n-gram counts of both
  kinds scaled by their naive-Bayes log-count ratios (C in 0.1, 0.3, 1, 4);
- the bundled classifier's P(pos) averaged with NB-LR's, weights 0.3, 0.5 and 0.7.

Everything is chosen on the validation reviews; only the best of all is then scored on the
test reviews, once. Writes benchmarks/results/sentiment_linear.json.

    python benchmarks/sentiment_linear.py
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import jieba
import numpy as np
from scipy.sparse import diags, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from seqlab.data.corpora import split
from seqlab.text import SentimentClassifier

OUT = Path(__file__).resolve().parent / "results" / "sentiment_linear.json"


def _words(text: str) -> list[str]:
    return [w for w in jieba.lcut(text) if w.strip()]


def _features(kind: str, binary: bool) -> CountVectorizer:
    """An unfitted vectorizer of one n-gram kind: binary counts, or sublinear TF-IDF."""
    if kind == "char":
        args: dict = dict(analyzer="char", ngram_range=(1, 3))
    else:
        args = dict(tokenizer=_words, token_pattern=None, lowercase=False, ngram_range=(1, 2))
    if binary:
        return CountVectorizer(binary=True, **args)
    return TfidfVectorizer(sublinear_tf=True, **args)


def _accuracy(p_pos: np.ndarray, y: np.ndarray) -> float:
    return round(100 * float(((p_pos > 0.5) == y).mean()), 2)


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python benchmarks/sentiment_linear.py   (about 3 minutes on 2 CPU cores)",
    ).parse_args()
    jieba.setLogLevel(60)
    splits = {p: split("sentiment", p) for p in ("train", "val", "test")}
    texts = {p: [t for t, _ in s] for p, s in splits.items()}
    y = {p: np.array([label == "pos" for _, label in s]) for p, s in splits.items()}

    def fit(kinds: tuple[str, ...], binary: bool) -> dict:
        vectorizers = [_features(k, binary).fit(texts["train"]) for k in kinds]
        return {p: hstack([v.transform(texts[p]) for v in vectorizers]).tocsr() for p in texts}

    candidates: dict[str, dict[str, np.ndarray]] = {}  # name -> split -> P(pos)

    def add(name: str, x: dict, c: float) -> None:
        model = LogisticRegression(C=c, max_iter=3000).fit(x["train"], y["train"])
        candidates[name] = {p: model.predict_proba(x[p])[:, 1] for p in ("val", "test")}

    for kinds in (("char",), ("word",), ("char", "word")):
        x = fit(kinds, binary=False)
        for c in (1.0, 4.0, 16.0):
            add(f"tfidf {'+'.join(kinds)}, C={c:g}", x, c)
    x = fit(("char", "word"), binary=True)
    on, off = x["train"][y["train"]], x["train"][~y["train"]]
    n_on, n_off = np.asarray(on.sum(0)).ravel() + 1, np.asarray(off.sum(0)).ravel() + 1
    ratio = diags(np.log(n_on / n_on.sum()) - np.log(n_off / n_off.sum()))
    x = {s: m @ ratio for s, m in x.items()}
    for c in (0.1, 0.3, 1.0, 4.0):
        add(f"nb-lr, C={c:g}", x, c)

    bundled = SentimentClassifier.pretrained()
    pos = list(bundled.labels).index("pos")
    candidates["bundled BiLSTMs"] = {
        s: np.asarray(bundled.predict_proba(texts[s]))[:, pos] for s in ("val", "test")
    }
    for c in (0.1, 0.3, 1.0, 4.0):
        for w in (0.3, 0.5, 0.7):
            nb, lstm = candidates[f"nb-lr, C={c:g}"], candidates["bundled BiLSTMs"]
            candidates[f"{w:g} BiLSTMs + {1 - w:g} nb-lr C={c:g}"] = {
                s: w * lstm[s] + (1 - w) * nb[s] for s in ("val", "test")
            }

    val = {name: _accuracy(pr["val"], y["val"]) for name, pr in candidates.items()}
    best = max(val, key=lambda name: val[name])
    result = {
        "val_accuracy": val,
        "best_on_val": best,
        "best_test_accuracy": _accuracy(candidates[best]["test"], y["test"]),
        "texts": {s: len(t) for s, t in texts.items()},
    }
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    for name, accuracy in sorted(val.items(), key=lambda kv: -kv[1]):
        print(f"{accuracy:6.2f}  {name}")
    print(f"best on validation: {best}; test accuracy {result['best_test_accuracy']}")


if __name__ == "__main__":
    main()
