"""Language-model speed on this machine: training tokens/s per backbone, and sampling
tokens/s as the text grows.

    python benchmarks/lm_speed.py          # about 5 minutes on 2 CPU cores

Each backbone (rnn, lstm, gru, transformer; 256 wide, 2 layers, characters) trains one epoch
on the first 200,000 characters of Tiny Shakespeare (context 128, batch 64) and then writes
texts of 64, 256 and 1,024 tokens with ``LanguageModel.generate`` (temperature 1, seeded).
Tokens/s that stay flat from 64 to 1,024 show the carried state (recurrent models) and the
key/value cache (the Transformer) at work; the Transformer is also timed without its cache
(the whole text fed again for every token), the cost the cache removes. Writes
benchmarks/results/lm_speed.json and the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import docs_tables
import torch

from seqlab.data.corpora import split
from seqlab.tasks import LanguageModel

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "lm_speed.json"
SHARED = HERE.parents[1] / "shared" / "data"
LENGTHS = (64, 256, 1024)
TRAIN_CHARS = 200_000


@torch.no_grad()
def _uncached(lm: LanguageModel, length: int) -> float:
    """Tokens/s of greedy decoding that feeds the whole text again for every token."""
    ids = lm.encode("")[:-1]
    special = torch.tensor([t.startswith("<") and t.endswith(">") for t in lm.vocab_.itos])
    start = time.perf_counter()
    for _ in range(length):
        hidden, _ = lm.model_(torch.tensor([ids]))
        logp = lm.model_.log_probs(hidden[0, -1]).masked_fill(special, -torch.inf)
        ids.append(int(logp.argmax()))
    return length / (time.perf_counter() - start)


def table_lm_speed() -> str:
    r = docs_tables.read_json("lm_speed")
    lengths = list(r["rows"][0]["sampling"])  # type: ignore[index]
    lines = [
        "| backbone | parameters | training tokens/s | "
        + " | ".join(f"sampling tokens/s at {n}" for n in lengths)
        + " |",
        "|---|---:|---:|" + "---:|" * len(lengths),
    ]
    for row in r["rows"]:  # type: ignore[index]
        cells = [f"{row['sampling'][n]['tokens_per_second']:,.0f}" for n in lengths]
        lines.append(
            f"| {row['model']} | {row['params']:,} | {row['train_tokens_per_second']:,.0f} | "
            + " | ".join(cells)
            + " |"
        )
        if "sampling_without_cache" in row:
            bare = [f"{row['sampling_without_cache'][n]:,.0f}" for n in lengths]
            lines.append(f"| {row['model']}, no cache | | | " + " | ".join(bare) + " |")
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "lm-speed": (docs_tables.ROOT / "docs" / "benchmarks.md", table_lm_speed),
}


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog="example: python benchmarks/lm_speed.py"
    ).parse_args()
    if SHARED.is_dir():
        os.environ.setdefault("SEQLAB_DATA_DIR", str(SHARED))
    text = split("shakespeare", "train")[0][:TRAIN_CHARS]
    rows = []
    for kind in ("rnn", "lstm", "gru", "transformer"):
        lm = LanguageModel(
            model=kind,
            hidden_size=256,
            num_layers=2,
            context=128,
            batch_size=64,
            epochs=1,
            lr=2e-3,
            device="cpu",
            val_size=0.05,
        )
        start = time.perf_counter()
        lm.fit(text)
        fit_seconds = time.perf_counter() - start
        row = {
            "model": kind,
            "params": sum(p.numel() for p in lm.model_.parameters()),
            "train_tokens_per_second": len(text) * 0.95 / lm.history_[0]["seconds"],
            "fit_seconds": fit_seconds,
            "sampling": {},
        }
        for length in LENGTHS:
            lm.generate("", max_tokens=8, seed=0)  # warm up
            t0 = time.perf_counter()
            out = lm.generate("", max_tokens=length, seed=1)
            row["sampling"][str(length)] = {
                "tokens": len(out),
                "tokens_per_second": len(out) / (time.perf_counter() - t0),
            }
        if kind == "transformer":
            row["sampling_without_cache"] = {str(n): _uncached(lm, n) for n in LENGTHS}
        rows.append(row)
        print(json.dumps(row))
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "settings": {
            "hidden": 256,
            "layers": 2,
            "context": 128,
            "batch": 64,
            "train_characters": TRAIN_CHARS,
        },
        "rows": rows,
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
