"""Training step time of a padded batch with true lengths on CPU: seqlab's Recurrent against
torch's packed sequences.

    python benchmarks/recurrent_lengths.py     # writes benchmarks/results/recurrent_lengths.json

and the table in docs/benchmarks.md.

One forward and backward pass of a bidirectional LSTM (96 → 128, as in the text tools) over
64 sequences whose lengths are drawn in [L/2, L]. torch's CPU kernel for packed sequences
slices its input once per step and each slice's backward writes a gradient as large as the
whole batch, so its time grows with L²; seqlab runs the fused kernel over the stretches
between distinct lengths (``Recurrent._forward_segments``). Both give the same numbers
(tests/nn/test_recurrent.py).
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
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqlab.nn import Recurrent

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "recurrent_lengths.json"
LENGTHS = (50, 100, 200, 400)
BATCH, FEATURES, HIDDEN = 64, 96, 128


def _step(layer: Recurrent, x: torch.Tensor, lengths: torch.Tensor, packed: bool) -> float:
    x = x.clone().requires_grad_(True)
    start = time.perf_counter()
    if packed:
        seq = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, _ = layer.rnn(seq)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    else:
        out, _ = layer(x, lengths=lengths)
    out.sum().backward()
    return time.perf_counter() - start


def table_lengths() -> str:
    rows = docs_tables.read_json("recurrent_lengths")["rows"]  # type: ignore[call-overload]
    lines = ["| L | seqlab `Recurrent` (s) | torch packed sequences (s) |", "|---|---|---|"]
    lines += [
        f"| {r['length']} | {r['seqlab_seconds']:.3f} | {r['torch_packed_seconds']:.3f} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "lengths": (docs_tables.ROOT / "docs" / "benchmarks.md", table_lengths),
}


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="example: python benchmarks/recurrent_lengths.py",
    ).parse_args()
    torch.manual_seed(0)
    layer = Recurrent("lstm", FEATURES, HIDDEN, bidirectional=True)
    rows = []
    for length in LENGTHS:
        x = torch.randn(BATCH, length, FEATURES)
        lengths = torch.randint(length // 2, length + 1, (BATCH,))
        lengths[0] = length
        times = {
            name: min(_step(layer, x, lengths, packed) for _ in range(3))
            for name, packed in (("seqlab", False), ("torch_packed", True))
        }
        rows.append({"length": length, **{f"{k}_seconds": v for k, v in times.items()}})
        print(rows[-1], flush=True)
    result = {
        "what": "one forward + backward, bidirectional LSTM, batch 64, lengths in [L/2, L]",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "rows": rows,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
