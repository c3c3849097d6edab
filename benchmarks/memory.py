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


def table_memory() -> str:
    """The long-memory benchmark (benchmarks/memory.py): test loss per length, the longest
    length solved, Table 1 of Bai et al. beside it."""
    r = docs_tables.read_json("memory")
    runs, published = r["runs"], r["published"]
    lengths = sorted({x["length"] for x in runs})
    lines = [
        "| task | model | "
        + " | ".join(f"T = {t}" for t in lengths)
        + " | longest T solved | Bai et al., Table 1 |",
        "|---|---|" + "---:|" * len(lengths) + "---:|---:|",
    ]
    for task in dict.fromkeys(x["task"] for x in runs):
        for model in dict.fromkeys(x["model"] for x in runs if x["task"] == task):
            cells, solved = [], []
            for t in lengths:
                x = next(
                    (x for x in runs if (x["task"], x["model"], x["length"]) == (task, model, t)),
                    None,
                )
                if x is None:
                    cells.append("")
                elif x["skipped"]:
                    cells.append("not run")
                else:
                    mark = " **solved**" if x["solved"] else ""
                    cells.append(f"{x['test_loss']:.2g}{mark}")
                    solved += [t] if x["solved"] else []
            paper = published[task]
            quoted = (
                f"{paper[model]:.3g} at T = {paper['length']}" if model in paper else "not in it"
            )
            longest = str(max(solved)) if solved else "none"
            lines.append(
                f"| {task} | {model} | " + " | ".join(cells) + f" | {longest} | {quoted} |"
            )
    b = r["budget"]
    return "\n".join(lines) + (
        f"\n\nTest loss (adding: MSE, trivial 1/6, solved below 0.01; copy: cross-entropy per "
        f"step, solved below 10 % of 10·ln 8/(T+20)). Budget per run: at most {b['steps']:,} "
        f"steps ({b['epochs']} epochs of {b['train']:,} sequences, batch {b['batch_size']}), "
        f"AdamW lr {b['lr']:g} on a cosine schedule, clipping at {b['grad_clip']:g}; stopped "
        f"early once the validation loss is below half the threshold. A model that fails "
        f"at one T is not run at longer ones. The whole grid took "
        f"{r['seconds'] / 60:.0f} min on {r['machine']['cpus']} CPU cores (one process "
        f"per task, one thread each; torch {r['machine']['torch']}).\n"
    )


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "memory": (docs_tables.ROOT / "docs" / "results" / "memory.md", table_memory),
}


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
        docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
