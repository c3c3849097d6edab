"""Train a character language model on one text's split and score its held-out part.

    python benchmarks/lm_train.py --corpus shakespeare --model lstm --hidden 256 --epochs 8
    python benchmarks/lm_train.py --corpus ci --model gru --hidden 384 --epochs 4

Prints one line per epoch and writes the run (settings, per-epoch log, held-out loss in nats
per character, bits per character, training seconds and characters read per second) to
benchmarks/results/lm_train.json, keyed by corpus and settings. The texts come from
SEQLAB_DATA_DIR (default ../shared/data beside a checkout), the cache, or one checked download.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import docs_tables
import torch

from seqlab.data.corpora import TEXTS, split
from seqlab.tasks import LanguageModel

RESULTS = Path(__file__).resolve().parent / "results" / "lm_train.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def table_lm_shakespeare() -> str:
    lines = [
        "| backbone | size | parameters | epochs | training | val (last 10 % of train) | "
        "held-out nats/char (target ≤ 1.55) | held-out bits/char |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    runs = [r for r in docs_tables.read_json("lm_train") if r["corpus"] == "shakespeare"]  # type: ignore[union-attr]
    for r in sorted(runs, key=lambda r: r["held_out"]["loss"]):
        st = r["settings"]
        lines.append(
            f"| {st['model']} | {st['hidden']}×{st['layers']}, dropout {st['dropout']} | "
            f"{r['params']:,} | {r['epochs']} | {r['train_seconds'] / 60:.1f} min | "
            f"{min(h['val_loss'] for h in r['history']):.3f} | {r['held_out']['loss']:.3f} | "
            f"{r['held_out']['bits_per_char']:.3f} |"
        )
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "lm-shakespeare": (docs_tables.ROOT / "docs" / "benchmarks.md", table_lm_shakespeare),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=TEXTS, default="shakespeare")
    parser.add_argument("--model", choices=("rnn", "lstm", "gru", "transformer"), default="lstm")
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--context", type=int, default=128)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()
    if SHARED.is_dir():
        os.environ.setdefault("SEQLAB_DATA_DIR", str(SHARED))
    train, held = split(args.corpus, "train"), split(args.corpus, "val")
    lm = LanguageModel(
        model=args.model,
        hidden_size=args.hidden,
        num_layers=args.layers,
        dropout=args.dropout,
        context=args.context,
        epochs=args.epochs,
        batch_size=args.batch,
        lr=args.lr,
        verbose=True,
    )
    start = time.perf_counter()
    lm.fit(train)  # early stopping on the last 10 % of the training part
    seconds = time.perf_counter() - start
    scores = lm.evaluate(held)
    chars = sum(map(len, train))
    result = {
        "corpus": args.corpus,
        "settings": vars(args) | {"out": None},
        "params": sum(p.numel() for p in lm.model_.parameters()),
        "held_out": scores,
        "train_seconds": seconds,
        "epochs": len(lm.history_),
        # the training characters read per second, the validation passes' time included
        "chars_per_second": chars * 0.9 * len(lm.history_) / seconds,
        "history": lm.history_,
        "torch_threads": torch.get_num_threads(),
    }
    out = Path(args.out)
    runs = json.loads(out.read_text()) if out.is_file() else []
    runs = [r for r in runs if r["settings"] != result["settings"]] + [result]
    out.write_text(json.dumps(runs, indent=2) + "\n")
    if out.resolve() == docs_tables.RESULTS / "lm_train.json":
        docs_tables.update(TABLES)
    print(json.dumps({k: v for k, v in result.items() if k != "history"}))


if __name__ == "__main__":
    main()
