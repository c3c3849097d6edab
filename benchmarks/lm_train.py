"""Train a character language model on one text's split and score its held-out part.

    python benchmarks/lm_train.py --corpus shakespeare --model lstm --hidden 512 --epochs 12
    python benchmarks/lm_train.py --corpus shakespeare --model transformer --hidden 256 \
        --layers 4 --lr 1e-3 --dropout 0.1 --epochs 12

The model trains on the whole training part for ``--epochs`` (a cosine schedule from ``--lr``
to a tenth of it) and keeps its last weights: nothing is selected on the held-out part, which
is scored after each epoch for the learning curve only (held-out nats per character against
training minutes, the scoring's own time left out). Prints one line per epoch and writes the
run (settings, precision, per-epoch log and curve, held-out loss in nats per character, bits
per character, training seconds, characters read per second) to
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
from seqlab.train.precision import resolve_precision

RESULTS = Path(__file__).resolve().parent / "results" / "lm_train.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def table_lm_shakespeare() -> str:
    lines = [
        "| backbone | size | parameters | epochs | precision | training, 2 CPU cores | "
        "held-out nats/char (target ≤ 1.47) | held-out bits/char | held-out nats/char after "
        "10 / 20 / 30 min |",
        "|---|---|---:|---:|---|---:|---:|---:|---|",
    ]
    runs = [
        r
        for r in docs_tables.read_json("lm_train")  # type: ignore[union-attr]
        if r["corpus"] == "shakespeare" and "curve" in r
    ]
    for r in sorted(runs, key=lambda r: r["held_out"]["loss"]):
        st = r["settings"]
        at = [_at_minutes(r["curve"], m) for m in (10, 20, 30)]
        lines.append(
            f"| {st['model']} | {st['hidden']}×{st['layers']}, dropout {st['dropout']} | "
            f"{r['params']:,} | {r['epochs']} | {r['precision']} | "
            f"{r['train_seconds'] / 60:.1f} min | {r['held_out']['loss']:.3f} | "
            f"{r['held_out']['bits_per_char']:.3f} | {' / '.join(at)} |"
        )
    return "\n".join(lines) + "\n"


def _at_minutes(curve: list[dict[str, float]], minutes: float) -> str:
    """The held-out loss of the last epoch that ended within ``minutes`` of training."""
    done = [c for c in curve if c["minutes"] <= minutes]
    return f"{done[-1]['held_out']:.3f}" if done else "–"


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
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto")
    parser.add_argument("--weight-decay", type=float, help="AdamW's [LanguageModel's default]")
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
        val_size=0.0,  # every training character trains; nothing is selected on held-out
        weight_decay=args.weight_decay,
        precision=args.precision,
        verbose=True,
    )
    curve: list[dict[str, float]] = []
    scoring = 0.0  # seconds spent scoring the held-out part, left out of training time
    start = time.perf_counter()

    def score(model: LanguageModel) -> str:
        nonlocal scoring
        t0 = time.perf_counter()
        loss = model.evaluate(held)["loss"]
        minutes = (t0 - start - scoring) / 60
        scoring += time.perf_counter() - t0
        curve.append({"epoch": len(curve) + 1, "minutes": minutes, "held_out": loss})
        return f"held-out {loss:.4f} nats/char at {minutes:.1f} min"

    lm.fit(train, each_epoch=score)
    seconds = time.perf_counter() - start - scoring
    scores = lm.evaluate(held)
    chars = sum(map(len, train))
    result = {
        "corpus": args.corpus,
        "settings": vars(args) | {"out": None},
        "params": sum(p.numel() for p in lm.model_.parameters()),
        "precision": resolve_precision(args.precision, lm.device_, f"lm-{args.model}"),
        "held_out": scores,
        "train_seconds": seconds,
        "epochs": len(lm.history_),
        "chars_per_second": chars * len(lm.history_) / seconds,
        "curve": curve,
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
