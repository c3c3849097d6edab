"""Train the bundled text tools and write their weights into the package.

Each tool (segment, pos, sentiment) is trained by ``seqlab.text.train`` with its recipe
(``RECIPES``) on its training split, early stopping on its validation split (POS, whose
recipe says ``refit``: on the training and validation lines together, all its epochs), and
saved as safetensors under src/seqlab/text/weights/<task>, in the precision of
``PRECISION``. The per-epoch log, the time and the test scores go to
benchmarks/results/text_models.json. This is how the shipped weights were made; run it again
to reproduce them (about 2.6 hours on 2 CPU cores; the segmenter's bundled weights were
trained with ``--device cuda``, see the README).

    python benchmarks/train_text_models.py
    python benchmarks/train_text_models.py --tasks sentiment --epochs 2
    python benchmarks/train_text_models.py --tasks segment --device cuda
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
from pathlib import Path

import torch

from seqlab.text import RECIPES, evaluate_tool, train
from seqlab.text.recipes import TASKS

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = ROOT / "src" / "seqlab" / "text" / "weights"
RESULTS = ROOT / "benchmarks" / "results" / "text_models.json"


# All three ship in int4: the embedding tables in 4 bits (15 levels per row, two to a byte),
# every other matrix in int8 (255 levels per row), a float16 scale per row; that keeps the
# five POS models, three sentiment models and the segmenter within 8 MB. Measured on the
# test splits: segmentation F1 96.256 -> 96.219 and sentiment 84.27 -> 84.79 % (int8 to
# int4), POS 96.98 -> 96.97 % (test_float32 in the log to text_quality.py).
PRECISION = {"segment": "int4", "pos": "int4", "sentiment": "int4"}


def _json_safe(entry: dict) -> dict:
    """An epoch's log with NaN (no validation loss, in a refit) as null, for strict JSON."""
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in entry.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's")
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where the weights go")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, ... (default cpu)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the JSON log")
    args = parser.parse_args()
    results = json.loads(args.results.read_text()) if args.results.exists() else {}
    for task in args.tasks:
        start = time.perf_counter()
        tool = train(task, epochs=args.epochs, verbose=True, device=args.device)
        seconds = time.perf_counter() - start
        shutil.rmtree(args.out / task, ignore_errors=True)  # no file of an older recipe stays
        folder = tool.save(args.out / task, PRECISION[task])
        results[task] = {
            "recipe": RECIPES[task] | ({"epochs": args.epochs} if args.epochs else {}),
            "train_seconds": round(seconds, 1),
            "device": args.device,
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
            "precision": PRECISION[task],
            "history": [_json_safe(h) for h in tool.model.history_],
            "test_float32": evaluate_tool(task, tool),
            "weights_bytes": sum(f.stat().st_size for f in folder.iterdir()),
        }
        print(task, results[task]["test_float32"], flush=True)
        args.results.parent.mkdir(exist_ok=True)
        args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
