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
from seq2seq import MODELS, RECIPES, RUNS, data

from seqlab.tasks import Seq2Seq

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "seq2seq_speed.json"
TRAIN_PAIRS, DECODE_SOURCES = 2000, 500


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
    docs_tables.update("seq2seq-speed")


if __name__ == "__main__":
    main()
