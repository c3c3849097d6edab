"""The long-memory benchmark: adding and copy memory, rnn / lstm / gru / transformer / tcn
at T = 50, 100, 200, 400, under one budget (``seqlab.bench.memory.BUDGET``).

Each task runs in its own process on one thread. Runs already in the JSON under the same
budget are kept, not run again (``--fresh`` runs everything). Writes benchmarks/results/memory.json,
the training curves to docs/images/memory_curves.png, and the table of docs/results/memory.md.

    python benchmarks/memory.py                          # the whole grid (see its run time)
    python benchmarks/memory.py --lengths 50,100,200,400,800   # only the runs not yet in it
    python benchmarks/memory.py --tasks adding --models gru --lengths 50 --out /tmp/m.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import docs_tables
import torch

from seqlab.bench.memory import BUDGET, LENGTHS, PUBLISHED, TASKS, run_grid
from seqlab.explain.figures import memory_curves
from seqlab.models.steps import STEP_KINDS

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "memory.json"
CURVES = ROOT / "docs" / "images" / "memory_curves.png"


def _task(task: str, models: list[str], lengths: list[int], known: list[dict]) -> list[dict]:
    """One task's grid in its own process, on one thread (the small recurrent steps gain
    nothing from a second one, so two tasks side by side use two cores fully)."""
    torch.set_num_threads(1)

    def shown(r: dict) -> None:
        done = "skipped" if r["skipped"] else f"{r['test_loss']:.5f} ({r['seconds']:.0f} s)"
        print(
            f"{r['task']:7} {r['model']:12} T={r['length']:4} {done}"
            f"{'  solved' if r['solved'] else ''}",
            flush=True,
        )

    return run_grid([task], models, lengths, on_result=shown, known=known)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--models", default=",".join(STEP_KINDS))
    parser.add_argument("--lengths", default=",".join(map(str, LENGTHS)))
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument("--fresh", action="store_true", help="run again what --out holds")
    args = parser.parse_args()
    start = time.perf_counter()
    tasks = args.tasks.split(",")
    models, lengths = args.models.split(","), [int(v) for v in args.lengths.split(",")]
    known: list[dict] = []
    if args.out.is_file() and not args.fresh:
        earlier = json.loads(args.out.read_text())
        if earlier["budget"] == vars(BUDGET) | {"steps": BUDGET.steps}:
            known = earlier["runs"]
            start -= earlier["seconds"]  # the grid's time is the time of all its runs
    with ProcessPoolExecutor(max_workers=len(tasks)) as pool:
        grids = list(
            pool.map(
                _task, tasks, [models] * len(tasks), [lengths] * len(tasks), [known] * len(tasks)
            )
        )
    machine = {
        "cpus": os.cpu_count(),
        "processes": len(tasks),
        "threads": 1,
        "torch": torch.__version__,
        "processor": platform.processor() or platform.machine(),
    }
    result = {
        "budget": vars(BUDGET) | {"steps": BUDGET.steps},
        "published": PUBLISHED,
        "machine": machine,
        "seconds": time.perf_counter() - start,
        "runs": [r for grid in grids for r in grid],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    if args.out == RESULT:
        memory_curves(result["runs"], CURVES)
        docs_tables.update("memory")


if __name__ == "__main__":
    main()
