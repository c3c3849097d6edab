"""The floors a character language model must beat: unigram and bigram bits per character.

On the held-out part of each language-modelling text (``seqlab.data.corpora.split``: Tiny
Shakespeare's last 10 %, every 10th poem of Song ci and Tang shi), count models of the
training part score every held-out character (``seqlab.metrics.char_ngram_floors``: add-one
unigram; bigram interpolated 0.8 / 0.2 with that unigram). Writes
benchmarks/results/lm_floors.json and the table in docs/benchmarks.md. The texts come from
SEQLAB_DATA_DIR (default: ../shared/data beside a checkout), the cache, or one checked
download.

    python benchmarks/lm_floors.py        # about 15 s
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import docs_tables

from seqlab.data.corpora import TEXTS, split
from seqlab.metrics import char_ngram_floors

RESULTS = Path(__file__).resolve().parent / "results" / "lm_floors.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"  # beside a checkout


def table_lm_floors() -> str:
    names = {"shakespeare": "Tiny Shakespeare", "ci": "Song ci", "tang": "Tang shi"}
    lines = [
        "| text | train characters | held-out characters | unigram bits/char | "
        "bigram bits/char | 75 % of the bigram |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in docs_tables.read_json("lm_floors"):  # type: ignore[union-attr]
        lines.append(
            f"| {names.get(r['corpus'], r['corpus'])} | {r['train_characters']:,} | "
            f"{r['val_characters']:,} | {r['unigram_bits']:.3f} | {r['bigram_bits']:.3f} | "
            f"{0.75 * r['bigram_bits']:.3f} |"
        )
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "lm-floors": (docs_tables.ROOT / "docs" / "benchmarks.md", table_lm_floors),
}


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="example: python benchmarks/lm_floors.py"
    ).parse_args()
    if SHARED.is_dir():
        os.environ.setdefault("SEQLAB_DATA_DIR", str(SHARED))
    rows = []
    for corpus in TEXTS:
        train, val = split(corpus, "train"), split(corpus, "val")
        floors = char_ngram_floors(train, val)
        rows.append(
            {
                "corpus": corpus,
                "train_documents": len(train),
                "train_characters": sum(map(len, train)),
                "val_documents": len(val),
                "val_characters": floors["characters"],
                "unigram_bits": floors["unigram"],
                "bigram_bits": floors["bigram"],
            }
        )
        print(json.dumps(rows[-1]))
    RESULTS.write_text(json.dumps(rows, indent=2) + "\n")
    docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
