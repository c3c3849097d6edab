"""Train the poem language model: a character LSTM that writes a poem for a title.

    python benchmarks/poem_model.py                  # Tang shi, the bundled model (~30 min)
    python benchmarks/poem_model.py --corpus ci --no-bundle

Trains ``seqlab.tasks.LanguageModel`` on the training part of a poem set (``seqlab.data.
corpora.titled``: every 10th poem held out) as (title, poem) pairs, one title in ten left
empty so that the model also writes without one; early stopping on the last 10 % of the
training poems. Scores the held-out poems in bits per character, with their titles and
without, against the bigram floor of ``benchmarks/lm_floors.py``; with ``--bundle`` (the
default for Tang) saves the model, its weights in float16, to
``src/seqlab/text/weights/poem`` and scores that copy. Writes
``benchmarks/results/poem_model.json`` (keyed by corpus) and the table in
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import docs_tables
import torch

from seqlab.data.corpora import titled
from seqlab.io import read_tensors, write_tensors
from seqlab.tasks import LanguageModel

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "poem_model.json"
FLOORS = HERE / "results" / "lm_floors.json"
BUNDLE = HERE.parent / "src" / "seqlab" / "text" / "weights" / "poem"
SHARED = HERE.parents[1] / "shared" / "data"
SAMPLES = (
    {"form": "5x4", "prefix": "春"},
    {"form": "7x4", "acrostic": "春夏秋冬"},
    {"form": "5x4", "condition": "秋夜"},
)


def _half(folder: Path) -> None:
    """Store the weights in float16 (half the bytes; they load back into float32)."""
    path = folder / "model.safetensors"
    write_tensors(path, {k: v.half() for k, v in read_tensors(path).items()})


def table_poems() -> str:
    names = {"ci": "Song ci", "tang": "Tang shi"}
    lines = [
        "| poems | model | parameters | saved (float16) | epochs | training | held-out bits/char "
        "| with titles | bigram floor | share of the floor (target ≤ 75 %) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in docs_tables.read_json("poem_model"):  # type: ignore[union-attr]
        st = r["settings"]
        lines.append(
            f"| {names[r['corpus']]}{' (bundled)' if r['bundled'] else ''} | {st['model']} "
            f"{st['hidden']}×{st['layers']} | {r['params']:,} | {r['bytes'] / 1e6:.1f} MB | "
            f"{r['epochs']} | {r['train_seconds'] / 60:.0f} min | "
            f"{r['held_out_bits_per_char']:.3f} | {r['held_out_bits_per_char_with_titles']:.3f} "
            f"| {r['bigram_floor_bits']:.3f} | {100 * r['share_of_bigram_floor']:.1f} % |"
        )
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "poems": (docs_tables.ROOT / "docs" / "benchmarks.md", table_poems),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="example: python benchmarks/poem_model.py"
    )
    parser.add_argument("--corpus", choices=("tang", "ci"), default="tang")
    parser.add_argument("--model", choices=("rnn", "lstm", "gru", "transformer"), default="lstm")
    parser.add_argument("--hidden", type=int, default=192)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--bundle", action=argparse.BooleanOptionalAction, default=None)
    args = parser.parse_args()
    bundle = args.corpus == "tang" if args.bundle is None else args.bundle
    if SHARED.is_dir():
        os.environ.setdefault("SEQLAB_DATA_DIR", str(SHARED))
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    rng = random.Random(0)
    train = [("" if rng.random() < 0.1 else t, text) for t, text in titled(args.corpus, "train")]
    held = titled(args.corpus, "val")
    lm = LanguageModel(
        model=args.model,
        hidden_size=args.hidden,
        num_layers=args.layers,
        dropout=args.dropout,
        context=128,
        epochs=args.epochs,
        batch_size=64,
        lr=args.lr,
        patience=2,
        verbose=True,
    )
    start = time.perf_counter()
    lm.fit(train)
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        folder = lm.save(Path(tmp) / "poem")
        _half(folder)
        if bundle:
            shutil.rmtree(BUNDLE, ignore_errors=True)
            shutil.copytree(folder, BUNDLE)
        shipped = LanguageModel.load(folder)
        size = sum(f.stat().st_size for f in folder.iterdir())
    floor = {r["corpus"]: r for r in json.loads(FLOORS.read_text())}[args.corpus]
    titled_bits = shipped.evaluate(held)["bits_per_char"]
    plain_bits = shipped.evaluate([text for _, text in held])["bits_per_char"]
    samples = [
        s
        | {
            "text": shipped.generate(
                s.get("prefix", ""), seed=0, **{k: v for k, v in s.items() if k != "prefix"}
            )
        }
        for s in SAMPLES
    ]
    result = {
        "corpus": args.corpus,
        "settings": {k: v for k, v in vars(args).items() if k != "bundle"},
        "params": sum(p.numel() for p in lm.model_.parameters()),
        "bytes": size,
        "bundled": bundle,
        "train_seconds": seconds,
        "epochs": len(lm.history_),
        "torch_threads": torch.get_num_threads(),
        "held_out_bits_per_char": plain_bits,
        "held_out_bits_per_char_with_titles": titled_bits,
        "bigram_floor_bits": floor["bigram_bits"],
        "share_of_bigram_floor": plain_bits / floor["bigram_bits"],
        "samples": samples,
        "history": lm.history_,
    }
    runs = json.loads(RESULTS.read_text()) if RESULTS.is_file() else []
    runs = [r for r in runs if r["corpus"] != args.corpus] + [result]
    RESULTS.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "history"}, ensure_ascii=False))
    docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
