"""Train the poem language model: a character LSTM that writes a poem for a title.

    python benchmarks/poem_model.py                  # Tang shi, the bundled model (~1 h)
    python benchmarks/poem_model.py --corpus ci --epochs 12 --dropout 0.3

Trains ``seqlab.tasks.LanguageModel`` on the training part of a poem set (``seqlab.data.
corpora.titled``: every 10th poem held out) as (title, poem) pairs, one title in ten left
empty so that the model also writes without one; early stopping on the last ``--val-size``
of the training poems. Scores the held-out poems in bits per character, with their titles
and without, against the bigram floor of ``benchmarks/lm_floors.py``, with the copy saved in
``--save-precision`` (int4: the embedding in 4 bits, the other matrices in int8); with
``--bundle`` (the default for Tang) that copy goes to ``src/seqlab/text/weights/poem``. Writes
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

from seqlab.cli.text import POEM_SAMPLING
from seqlab.data.corpora import titled
from seqlab.data.rhyme import check_poem
from seqlab.tasks import LanguageModel
from seqlab.text.poems import load_poet, write_poem
from seqlab.train.precision import resolve_precision

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "poem_model.json"
FLOORS = HERE / "results" / "lm_floors.json"
BUNDLE = HERE.parent / "src" / "seqlab" / "text" / "weights" / "poem"
SHARED = HERE.parents[1] / "shared" / "data"
# What a user types, in simplified characters (the poet answers in them): seqlab.text.poems.
SAMPLES = (
    {"form": "5x4", "acrostic": "我爱中国"},
    {"form": "7x4", "title": "春风"},
    {"form": "5x8", "title": "静夜思"},
)
FORM_NAMES = {4: "绝句", 8: "律诗"}


def samples(poet: LanguageModel) -> list[dict]:
    """The three poems of SAMPLES (seed 0, the CLI's sampling preset, rhymed), each with its
    form checked: line lengths, and the even lines ending in one rhyme group."""
    out = []
    for sample in SAMPLES:
        length, lines = map(int, sample["form"].split("x"))
        text = write_poem(poet, seed=0, **POEM_SAMPLING, **sample)  # type: ignore[arg-type]
        found = check_poem(text, length, lines)
        out.append(
            sample
            | {
                "text": text,
                "line_lengths": found.lengths,
                "lengths_ok": found.lengths_ok,
                "rhyme_groups": found.rhyme_ends,
                "rhymes": found.rhymes,
            }
        )
    return out


def table_poem_samples() -> str:
    lines = [
        "| asked for | poem | lines | rhyme (lines 2, 4, ...) |",
        "|---|---|---|---|",
    ]
    for run in docs_tables.read_json("poem_model"):  # type: ignore[union-attr]
        if not run["bundled"]:
            continue
        for s in run["samples"]:
            length, count = map(int, s["form"].split("x"))
            asked = (
                ", ".join(f"{k} {s[k]}" for k in ("title", "acrostic") if s.get(k))
                + f", {length}×{count} ({FORM_NAMES.get(count, '')})"
            )
            ok = "✓" if s["lengths_ok"] else "✗"
            rhyme = "✓ " if s["rhymes"] else "✗ "
            lines.append(
                f"| {asked} | {s['text']} | {ok} {'/'.join(map(str, s['line_lengths']))} "
                f"| {rhyme}{'/'.join(g or '?' for g in s['rhyme_groups'])} |"
            )
    return "\n".join(lines) + "\n"


def table_poems() -> str:
    names = {"ci": "Song ci", "tang": "Tang shi"}
    lines = [
        "| poems | model | parameters | saved | epochs | training | held-out bits/char "
        "| with titles | bigram floor | share of the floor (Tang ≤ 75 %, ci ≤ 85 %) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in docs_tables.read_json("poem_model"):  # type: ignore[union-attr]
        st = r["settings"]
        saved = st.get("save_precision", "float16")
        threads = f"{r['torch_threads']} thread{'s' if r['torch_threads'] > 1 else ''}"
        trained = f", {r['precision']}, {threads}" if "precision" in r else ""
        lines.append(
            f"| {names[r['corpus']]}{' (bundled)' if r['bundled'] else ''} | {st['model']} "
            f"{st['hidden']}×{st['layers']} | {r['params']:,} | {r['bytes'] / 1e6:.1f} MB "
            f"({saved}) | {r['epochs']} | {r['train_seconds'] / 60:.0f} min{trained} | "
            f"{r['held_out_bits_per_char']:.3f} | {r['held_out_bits_per_char_with_titles']:.3f} "
            f"| {r['bigram_floor_bits']:.3f} | {100 * r['share_of_bigram_floor']:.1f} % |"
        )
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "poems": (docs_tables.ROOT / "docs" / "benchmarks.md", table_poems),
    "poem-samples": (docs_tables.ROOT / "docs" / "text.md", table_poem_samples),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="example: python benchmarks/poem_model.py"
    )
    parser.add_argument("--corpus", choices=("tang", "ci"), default="tang")
    parser.add_argument("--model", choices=("rnn", "lstm", "gru", "transformer"), default="lstm")
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--val-size", type=float, default=0.03)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (all cores)")
    parser.add_argument(
        "--save-precision", choices=("float32", "float16", "int8", "int4"), default="int4"
    )
    parser.add_argument("--bundle", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument(
        "--samples", action="store_true", help="only write the bundled poet's poems again"
    )
    args = parser.parse_args()
    if args.samples:
        runs = json.loads(RESULTS.read_text())
        for run in runs:
            if run["bundled"]:
                run["samples"] = samples(load_poet())
        RESULTS.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
        docs_tables.update(TABLES)
        return
    bundle = args.corpus == "tang" if args.bundle is None else args.bundle
    if SHARED.is_dir():
        os.environ.setdefault("SEQLAB_DATA_DIR", str(SHARED))
    if args.threads:
        torch.set_num_threads(args.threads)
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
        val_size=args.val_size,
        verbose=True,
    )
    start = time.perf_counter()
    lm.fit(train)
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        folder = lm.save(Path(tmp) / "poem", precision=args.save_precision)
        if bundle:
            shutil.rmtree(BUNDLE, ignore_errors=True)
            shutil.copytree(folder, BUNDLE)
        shipped = LanguageModel.load(folder)
        size = sum(f.stat().st_size for f in folder.iterdir())
    floor = {r["corpus"]: r for r in json.loads(FLOORS.read_text())}[args.corpus]
    titled_bits = shipped.evaluate(held)["bits_per_char"]
    plain_bits = shipped.evaluate([text for _, text in held])["bits_per_char"]
    result = {
        "corpus": args.corpus,
        "settings": {k: v for k, v in vars(args).items() if k != "bundle"},
        "params": sum(p.numel() for p in lm.model_.parameters()),
        "bytes": size,
        "bundled": bundle,
        "train_seconds": seconds,
        "epochs": len(lm.history_),
        "torch_threads": torch.get_num_threads(),
        "precision": resolve_precision(lm.precision, lm.device_, f"lm-{args.model}"),
        "held_out_bits_per_char": plain_bits,
        "held_out_bits_per_char_with_titles": titled_bits,
        "bigram_floor_bits": floor["bigram_bits"],
        "share_of_bigram_floor": plain_bits / floor["bigram_bits"],
        "samples": samples(shipped),
        "history": lm.history_,
    }
    runs = json.loads(RESULTS.read_text()) if RESULTS.is_file() else []
    runs = [r for r in runs if r["corpus"] != args.corpus] + [result]
    RESULTS.write_text(json.dumps(runs, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "history"}, ensure_ascii=False))
    docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
