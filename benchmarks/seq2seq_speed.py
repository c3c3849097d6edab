"""Sequence-to-sequence speed on this machine: training pairs per second of each model, and
decoding sentences per second, greedy and beam 5, batched.

    python benchmarks/seq2seq.py --task zh-en      # first: the trained models to decode with
    python benchmarks/seq2seq_speed.py             # ~5 min on 2 CPU cores

Training: one epoch of the zh→en recipe of ``benchmarks/seq2seq.py`` (the same sizes) on the
first 2,000 training pairs of the Tatoeba split, after a warm-up epoch on 256 pairs; the
time includes the validation pass of 256 pairs. Decoding: the trained zh→en models of
``runs/seq2seq/zh-en`` translate the first 500 test sources of the split (sorted by
length into batches of 128, as ``Seq2Seq.decode`` does), greedy and with beam 5. Writes
``benchmarks/results/seq2seq_speed.json`` and the table in docs/results/seq2seq.md.
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import docs_tables
import torch
from seq2seq import MODEL_NAMES, MODELS, RECIPES, RUNS, data

from seqlab.tasks import Seq2Seq

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "seq2seq_speed.json"
TRAIN_PAIRS, DECODE_SOURCES = 2000, 500


def table_seq2seq_speed() -> str:
    """Training pairs/s and decoding sentences/s per model (zh→en recipe)."""
    if not (docs_tables.RESULTS / "seq2seq_speed.json").exists():
        return "Not measured yet: run `python benchmarks/seq2seq_speed.py`.\n"
    r = docs_tables.read_json("seq2seq_speed")
    lines = [
        "| model | training, pairs / s | decoding greedy, sentences / s | decoding beam 5, "
        "sentences / s |",
        "|---|---:|---:|---:|",
    ]
    for row in r["rows"]:  # type: ignore[index]
        d = row["decode_sentences_per_s"]
        lines.append(
            f"| {MODEL_NAMES[row['model']]} | {row['train_pairs_per_s']:,.0f} | "
            f"{d['greedy']:,.0f} | {d['beam5']:,.0f} |"
        )
    m = r["machine"]  # type: ignore[index]
    lines.append(
        f"\n{m['cpus']} CPU cores, {m['threads']} threads, torch {m['torch']}; "
        f"{r['train_pairs']:,} training pairs, {r['decode_sources']} test sources.\n"  # type: ignore[index]
    )
    return "\n".join(lines)


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "seq2seq-speed": (docs_tables.ROOT / "docs" / "results" / "seq2seq.md", table_seq2seq_speed),
}


def main() -> None:
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    sources, targets = data("zh-en", "train")
    test = list(dict.fromkeys(data("zh-en", "test")[0]))[:DECODE_SOURCES]
    rows = []
    for name in MODELS:
        recipe = dict(RECIPES["zh-en"][name], epochs=1, select="loss", patience=None)
        held = (sources[-256:], targets[-256:])
        Seq2Seq(**recipe).fit(sources[:256], targets[:256], validation=held)  # warm-up
        model = Seq2Seq(**recipe)
        t0 = time.perf_counter()
        model.fit(sources[:TRAIN_PAIRS], targets[:TRAIN_PAIRS], validation=held)
        train = TRAIN_PAIRS / (time.perf_counter() - t0)
        trained = Seq2Seq.load(RUNS / "zh-en" / name, device="cpu")
        decode = {}
        for beam in (1, 5):
            t0 = time.perf_counter()
            trained.predict(test, beam=beam)
            decode["greedy" if beam == 1 else "beam5"] = len(test) / (time.perf_counter() - t0)
        rows.append({"model": name, "train_pairs_per_s": train, "decode_sentences_per_s": decode})
        print(rows[-1], flush=True)
    result = {
        "rows": rows,
        "train_pairs": TRAIN_PAIRS,
        "decode_sources": len(test),
        "machine": {
            "cpus": os.cpu_count(),
            "threads": torch.get_num_threads(),
            "processor": platform.processor() or platform.machine(),
            "torch": torch.__version__,
        },
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
