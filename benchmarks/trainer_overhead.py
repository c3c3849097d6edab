"""The trainer's cost per step over the bare model step (issue 23): what seqlab's one
``Trainer`` adds (the batch gather, the weighting of the loss, the stop and NaN checks, the
schedule, the epoch's bookkeeping) to forward + loss + backward + clip + AdamW step.

Both sides run the same model on the same device-resident windows, the same number of steps,
with the same batch size; the bare loop gathers its batches from the same unfolded tensor.
Rounds alternate between the two; the median of the rounds is kept, the first (warm-up)
dropped. The Forecaster's models: a small DLinear (where any overhead shows most) and a
2-layer LSTM. On a GPU it also runs ``precision="bf16"``.

    python benchmarks/trainer_overhead.py     # writes benchmarks/results/trainer_overhead.json
    python benchmarks/trainer_overhead.py --steps 50 --rounds 2 --out /tmp/quick.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import docs_tables
import torch
from torch import nn

from seqlab.data.windows import Windows, WindowSet
from seqlab.models import Shape, build
from seqlab.train import TrainConfig, Trainer, resolve_device

ROOT = Path(__file__).resolve().parent.parent
RESULT = ROOT / "benchmarks" / "results" / "trainer_overhead.json"
L, H, BATCH = 96, 24, 64


def _model(name: str, device: torch.device) -> nn.Module:
    torch.manual_seed(0)
    shape = Shape(
        lookback=L, horizon=H, input_size=1, output_size=1, target_index=(0,), season_length=24
    )
    common = {"hidden_size": 64, "num_layers": 2, "dropout": 0.0}
    return build(name, shape, common=common).to(device)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def bare(model: nn.Module, train: WindowSet, steps: int, precision: str) -> float:
    """Seconds per step of the loop a careful engineer writes by hand."""
    device = next(model.parameters()).device
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(0))
    model.train()
    _sync(device)
    t0 = time.perf_counter()
    for i in range(steps):
        x, y = train.batch(order[(i * BATCH) % (len(train) - BATCH) :][:BATCH])
        with torch.autocast(device.type, torch.bfloat16, enabled=precision == "bf16"):
            loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    _sync(device)
    return (time.perf_counter() - t0) / steps


def trainer(model: nn.Module, train: WindowSet, steps: int, precision: str) -> float:
    """Seconds per step of seqlab's Trainer over the same number of steps (no validation)."""
    device = next(model.parameters()).device
    epochs = max(1, steps // -(-len(train) // BATCH))
    config = TrainConfig(epochs=epochs, batch_size=BATCH, patience=None, precision=precision)
    _sync(device)
    t0 = time.perf_counter()
    Trainer(config).fit(model, train)
    _sync(device)
    return (time.perf_counter() - t0) / (epochs * -(-len(train) // BATCH))


def measure(steps: int, rounds: int) -> dict:
    device = resolve_device("auto")
    g = torch.Generator().manual_seed(0)
    series = torch.randn(L + H + steps * BATCH // 4, 1, generator=g).cumsum(0).to(device)
    windows = Windows(series, [0], L, H)
    train = WindowSet(windows, torch.arange(len(series) - L - H + 1))
    rows = []
    precisions = ["fp32", "bf16"] if device.type == "cuda" else ["fp32"]
    for name in ("dlinear", "lstm"):
        for precision in precisions:
            times: dict[str, list[float]] = {"bare": [], "trainer": []}
            for _ in range(rounds + 1):  # the first round warms up
                times["bare"].append(bare(_model(name, device), train, steps, precision))
                times["trainer"].append(trainer(_model(name, device), train, steps, precision))
            b, t = (statistics.median(v[1:]) for v in (times["bare"], times["trainer"]))
            rows.append(
                {
                    "model": name,
                    "precision": precision,
                    "bare_ms": b * 1e3,
                    "trainer_ms": t * 1e3,
                    "overhead_ms": (t - b) * 1e3,
                    "overhead_pct": 100 * (t - b) / b,
                }
            )
            print(rows[-1], flush=True)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
    }
    return {
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "machine": machine,
        "lookback": L,
        "horizon": H,
        "batch_size": BATCH,
        "steps": steps,
        "rounds": rounds,
        "rows": rows,
    }


def table_overhead() -> str:
    """What the Trainer adds per step to the bare model step (benchmarks/trainer_overhead.py)."""
    r = docs_tables.read_json("trainer_overhead")
    lines = [
        "| model | precision | bare step (ms) | Trainer step (ms) | overhead (ms) | overhead |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in r["rows"]:
        lines.append(
            f"| {row['model']} | {row['precision']} | {row['bare_ms']:.2f} | "
            f"{row['trainer_ms']:.2f} | {row['overhead_ms']:+.2f} | {row['overhead_pct']:+.0f} % |"
        )
    return "\n".join(lines) + (
        f"\n\nOn {r['device']} ({r['machine']['cpus']} cores, torch {r['machine']['torch']}), "
        f"batch {r['batch_size']}, lookback {r['lookback']}, horizon {r['horizon']}, "
        f"{r['steps']} steps, median of {r['rounds']} rounds.\n"
    )


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "overhead": (docs_tables.ROOT / "docs" / "scale.md", table_overhead),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    result = measure(args.steps, args.rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.out == RESULT:
        docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
