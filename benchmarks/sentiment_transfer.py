"""Sentiment from scratch and from a pretrained language model, on leak-free data.

    python benchmarks/sentiment_transfer.py --stage lm         # pretrain, 5 epochs (~20 min)
    python benchmarks/sentiment_transfer.py --stage scratch    # the recipe, from scratch
    python benchmarks/sentiment_transfer.py --stage transfer   # fine-tune the pretrained LM
    python benchmarks/sentiment_transfer.py --stage bundle     # ship the better by validation

Every text these runs train or validate on passes the leak rule (``seqlab.data.leaks``)
against both test sets, CSC-947 and the split's test part (``seqlab.data.corpora.split``):

- ``lm``: a character LSTM language model (``seqlab.tasks.LanguageModel``) on the corpus
  ``pretraining`` (People's Daily and the sentiment training texts), early stopping on the
  sentiment validation texts; saved to ``runs/sentiment_lm``.
- ``scratch``: the bundled recipe (``seqlab.text.RECIPES["sentiment"]``), from scratch.
- ``transfer``: ``SequenceClassifier.from_language_model`` with the recipe
  ``seqlab.text.recipes.TRANSFER``: the LM's embedding and layers initialise a
  unidirectional encoder, fine-tuned with ULMFiT's schedule (discriminative learning rates,
  gradual unfreezing, slanted triangular rates).
- ``bundle``: the rule fixed before training: the run with the higher validation accuracy
  is saved (int4, as the other tools) to ``src/seqlab/text/weights/sentiment`` and scored
  again as stored.

Each stage writes its entry in ``benchmarks/results/sentiment_transfer.json``: validation
accuracy, CSC-947 accuracy (all, and the reviews not in ChnSentiCorp's training split), the
test part's accuracy (all, whole reviews and clauses by ``corpora.is_whole_review``) and the
training time; and the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import docs_tables
import torch

from seqlab.data import corpora
from seqlab.data.tokens import CharTokenizer
from seqlab.tasks import LanguageModel, SequenceClassifier
from seqlab.text import RECIPES, SentimentClassifier
from seqlab.text.recipes import TRANSFER

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "sentiment_transfer.json"
LM_DIR = HERE.parent / "runs" / "sentiment_lm"
RUNS = HERE.parent / "runs"
BUNDLE = HERE.parent / "src" / "seqlab" / "text" / "weights" / "sentiment"
LM = dict(model="lstm", hidden_size=256, num_layers=2, dropout=0.1, context=128, lr=3e-3)
_chars = CharTokenizer()


def scores(tool: SentimentClassifier) -> dict[str, float]:
    """Accuracy (%) on the validation texts, CSC-947 and the test part, as the docstring says."""
    out: dict[str, float] = {}

    def accuracy(items: list[tuple[str, str]]) -> float:
        return round(tool.evaluate(items)["accuracy"], 2) if items else float("nan")

    csc = corpora.csc947()
    test = corpora.split("sentiment", "test")
    out["val"] = accuracy(corpora.split("sentiment", "val"))
    out["csc947"] = accuracy([(t, y) for t, y, _ in csc])
    out["csc947_not_in_csc_train"] = accuracy([(t, y) for t, y, seen in csc if not seen])
    out["test"] = accuracy(test)
    out["test_whole"] = accuracy([x for x in test if corpora.is_whole_review(x[0])])
    out["test_clauses"] = accuracy([x for x in test if not corpora.is_whole_review(x[0])])
    return out


def record(name: str, entry: dict) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = entry
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(name, json.dumps(entry, ensure_ascii=False))
    if "scratch" in results:
        docs_tables.update(TABLES)


def data(part: str) -> tuple[list[list[str]], list[str]]:
    items = corpora.split("sentiment", part)
    return [_chars(t) for t, _ in items], [y for _, y in items]


def stage_lm(epochs: int, verbose: bool) -> None:
    texts = corpora.split("pretraining")
    val = [t for t, _ in corpora.split("sentiment", "val")]
    t0 = time.perf_counter()
    lm = LanguageModel(**LM, epochs=epochs, patience=2, verbose=verbose).fit(texts, val)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    lm.save(LM_DIR)
    held = lm.evaluate(val)
    record(
        "lm",
        {
            **LM,
            "epochs": epochs,
            "documents": len(texts),
            "characters": sum(map(len, texts)),
            "val": held,
            "minutes": round(seconds / 60, 1),
        },
    )


def fit_and_score(name: str, clf: SequenceClassifier, params: dict) -> None:
    x, y = data("train")
    t0 = time.perf_counter()
    clf.fit(x, y, validation=data("val"))
    seconds = time.perf_counter() - t0
    tool = SentimentClassifier(clf)
    tool.save(RUNS / f"sentiment_{name}")
    record(name, {**params, **scores(tool), "minutes": round(seconds / 60, 1)})


def table_sentiment_transfer() -> str:
    """From scratch against from a pretrained language model, both on leak-free data."""
    r = docs_tables.read_json("sentiment_transfer")
    lines = [
        "| run | model | training | validation | CSC-947 (target ≥ 91.0) | CSC-947 not in "
        "ChnSentiCorp train | test part (target ≥ 86.5) | whole reviews | clauses |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    what = {
        "scratch": "3 BiLSTMs 128, characters and bigrams, max-pooled (the recipe)",
        "transfer": "3 LSTMs {hidden_size}×{num_layers} from the language model, max-pooled, "
        "lr_decay {lr_decay}",
    }
    lm = r.get("lm", {})  # type: ignore[union-attr]
    for name in ("scratch", "transfer"):
        if name not in r:
            continue
        e = r[name]  # type: ignore[index]
        model = what[name].format(**{**lm, **e})
        if e.get("ulmfit"):
            model += ", gradual unfreezing and slanted triangular rates (ULMFiT)"
        minutes = e["minutes"] + (lm.get("minutes", 0) if name == "transfer" else 0)
        lines.append(
            f"| {name}{' (bundled)' if r.get('bundled', {}).get('run') == name else ''} | "  # type: ignore[union-attr]
            f"{model} | {minutes:.0f} min | {e['val']:.2f} | {e['csc947']:.2f} | "
            f"{e['csc947_not_in_csc_train']:.2f} | {e['test']:.2f} | {e['test_whole']:.2f} | "
            f"{e['test_clauses']:.2f} |"
        )
    if "bundled" in r:
        b = r["bundled"]  # type: ignore[index]
        lines.append(
            f"| bundled: {b['run']}, stored in int4 | | | {b['val']:.2f} | {b['csc947']:.2f} | "
            f"{b['csc947_not_in_csc_train']:.2f} | {b['test']:.2f} | {b['test_whole']:.2f} | "
            f"{b['test_clauses']:.2f} |"
        )
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "sentiment-transfer": (docs_tables.ROOT / "docs" / "benchmarks.md", table_sentiment_transfer),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="example: python benchmarks/sentiment_transfer.py --stage scratch",
    )
    parser.add_argument("--stage", choices=("lm", "scratch", "transfer", "bundle"), required=True)
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: the stage's)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.stage == "lm":
        stage_lm(args.epochs or 5, args.verbose)
    elif args.stage == "scratch":
        params = {**RECIPES["sentiment"], **({"epochs": args.epochs} if args.epochs else {})}
        clf = SequenceClassifier(**params, device="cpu", verbose=args.verbose)
        fit_and_score("scratch", clf, params)
    elif args.stage == "transfer":
        params = {**TRANSFER, **({"epochs": args.epochs} if args.epochs else {})}
        clf = SequenceClassifier.from_language_model(
            LM_DIR, **params, device="cpu", verbose=args.verbose
        )
        fit_and_score("transfer", clf, {**params, "pretrained": "runs/sentiment_lm"})
    else:
        results = json.loads(RESULTS.read_text())
        best = max(("scratch", "transfer"), key=lambda k: results[k]["val"])
        tool = SentimentClassifier.load(RUNS / f"sentiment_{best}", device="cpu")
        if tool.model.pretrained is not None:  # the shipped config names no local folder
            tool.model.pretrained = "runs/sentiment_lm"
        shutil.rmtree(BUNDLE, ignore_errors=True)
        tool.save(BUNDLE, precision="int4")  # as the other bundled tools
        stored = SentimentClassifier.load(BUNDLE, device="cpu")
        record("bundled", {"run": best, "by": "validation accuracy", **scores(stored)})


if __name__ == "__main__":
    main()
