"""Training speed: seqlab's Forecaster against a minimal hand-written PyTorch loop.

The task (issue 3): LSTM, hidden 64, 2 layers, lookback 96, direct horizon 24, batch 32, on the
OT column of ETTh1, the first 8,640 rows for training (the next 2,880 for validation). Both sides
train the same architecture (LSTM → linear head on the last layer's final hidden state) on the
same unfolded tensors, shuffle each epoch, clip gradients, and score the validation windows once
per epoch. Each run is its own subprocess so its peak memory is its own; runs alternate to
spread machine noise evenly, and the first epoch of each run (warm-up) is not counted.

    python benchmarks/train_speed.py                 # writes benchmarks/results/train_speed.json
    python benchmarks/train_speed.py --epochs 2 --rounds 1 --out /tmp/quick.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import docs_tables
from measure import worker

ROOT = Path(__file__).resolve().parent.parent
ETT = Path(os.environ.get("SEQLAB_DATA_DIR", ROOT.parent / "shared" / "data" / "ett"))
L, H, HIDDEN, LAYERS, BATCH = 96, 24, 64, 2, 32
TRAIN_ROWS, VAL_ROWS = 8640, 2880


def _frame():
    import pandas as pd

    df = pd.read_csv(ETT / "ETTh1.csv", parse_dates=["date"], index_col="date")
    return df[["OT"]].iloc[: TRAIN_ROWS + 2 * VAL_ROWS]


def run_seqlab(epochs: int) -> dict:
    import seqlab as sl

    df = _frame()
    fc = sl.Forecaster(
        model="lstm",
        target="OT",
        lookback=L,
        horizon=H,
        hidden_size=HIDDEN,
        num_layers=LAYERS,
        batch_size=BATCH,
        epochs=epochs,
        patience=None,
        val_size=0.2,
        test_size=0.2,
        seed=0,
    )
    fc.fit(df)
    return {
        "epoch_seconds": fc.history_["seconds"].tolist(),
        "val_loss": fc.history_["val_loss"].tolist(),
    }


def run_hand(epochs: int) -> dict:
    """What a careful engineer writes by hand: tensors, unfold, randperm, one loop."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    values = _frame()["OT"].to_numpy()
    mean, std = values[:TRAIN_ROWS].mean(), values[:TRAIN_ROWS].std()
    series = torch.tensor((values - mean) / std, dtype=torch.float32, device=device)
    x_all = series.unfold(0, L, 1)  # (T-L+1, L)
    y_all = series.unfold(0, H, 1)  # (T-H+1, H)
    train_idx = torch.arange(0, TRAIN_ROWS - L - H + 1)
    val_idx = torch.arange(TRAIN_ROWS - L, TRAIN_ROWS + VAL_ROWS - L - H + 1)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(1, HIDDEN, LAYERS, batch_first=True)
            self.head = nn.Linear(HIDDEN, H)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.head(h[-1])

    model = Net().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    g = torch.Generator().manual_seed(0)
    seconds, val_losses = [], []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.train()
        for idx in torch.randperm(len(train_idx), generator=g).split(BATCH):
            s = train_idx[idx]
            loss = nn.functional.mse_loss(model(x_all[s].unsqueeze(-1)), y_all[s + L])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        model.eval()
        with torch.no_grad():  # in chunks of 1024 windows, as seqlab's Trainer.evaluate does
            total = 0.0
            for s in val_idx.split(1024):
                pred = model(x_all[s].unsqueeze(-1))
                total += nn.functional.mse_loss(pred, y_all[s + L]).item() * len(s)
            val_losses.append(total / len(val_idx))
        seconds.append(time.perf_counter() - t0)
    return {"epoch_seconds": seconds, "val_loss": val_losses}


def table_speed() -> str:
    r = docs_tables.read_json("train_speed")
    s, h = r["seqlab"], r["hand_loop"]
    return (
        "| | seconds / epoch (median) | peak memory (RSS) | final val loss |\n"
        "|---|---:|---:|---:|\n"
        f"| seqlab `Forecaster` | {s['median_epoch_seconds']:.2f} | {s['peak_mb']:.0f} MB | "
        f"{s['final_val_loss'][0]:.4f} |\n"
        f"| hand-written loop | {h['median_epoch_seconds']:.2f} | {h['peak_mb']:.0f} MB | "
        f"{h['final_val_loss'][0]:.4f} |\n"
        f"| **ratio** | **{r['ratio_seqlab_over_hand']:.2f}×** (target ≤ "
        f"{r['target_ratio']:.2f}×) | | |\n\n"
        f"{r['machine']['cpus']} CPU cores, torch {r['machine']['torch']}, {r['rounds']} rounds "
        f"× {r['epochs_per_run'] - 1} timed epochs per side.\n"
    )


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "speed": (docs_tables.ROOT / "docs" / "benchmarks.md", table_speed),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "train_speed.json"))
    parser.add_argument("--worker", choices=["seqlab", "hand"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        result = (run_seqlab if args.worker == "seqlab" else run_hand)(args.epochs)
        print(json.dumps(result))
        return

    runs: dict[str, list[dict]] = {"seqlab": [], "hand": []}
    for r in range(args.rounds):
        for who in ("seqlab", "hand") if r % 2 == 0 else ("hand", "seqlab"):
            cmd = [sys.executable, __file__, "--worker", who, "--epochs", str(args.epochs)]
            last, last["peak_mb"] = worker(cmd)  # the whole process, as /usr/bin/time -v
            runs[who].append(last)
            print(f"round {r + 1} {who:7s} epochs {[round(s, 2) for s in last['epoch_seconds']]}")

    summary = {}
    for who, rs in runs.items():
        timed = [s for run in rs for s in run["epoch_seconds"][1:]]  # drop warm-up epochs
        summary[who] = {
            "median_epoch_seconds": statistics.median(timed),
            "epoch_seconds": timed,
            "peak_mb": max(run["peak_mb"] for run in rs),
            "final_val_loss": [run["val_loss"][-1] for run in rs],
        }
    ratio = summary["seqlab"]["median_epoch_seconds"] / summary["hand"]["median_epoch_seconds"]
    import torch

    result = {
        "task": {
            "data": "ETTh1 OT",
            "train_rows": TRAIN_ROWS,
            "val_rows": VAL_ROWS,
            "model": "lstm",
            "hidden_size": HIDDEN,
            "num_layers": LAYERS,
            "lookback": L,
            "horizon": H,
            "strategy": "direct",
            "batch_size": BATCH,
        },
        "machine": {
            "platform": platform.platform(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(),
            "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
        },
        "epochs_per_run": args.epochs,
        "rounds": args.rounds,
        "seqlab": summary["seqlab"],
        "hand_loop": summary["hand"],
        "ratio_seqlab_over_hand": ratio,
        "target_ratio": 1.10,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    if Path(args.out).resolve() == (ROOT / "benchmarks" / "results" / "train_speed.json").resolve():
        docs_tables.update(TABLES)
    print(
        f"seqlab {summary['seqlab']['median_epoch_seconds']:.2f} s/epoch, hand loop "
        f"{summary['hand']['median_epoch_seconds']:.2f} s/epoch, ratio {ratio:.3f} "
        f"(target <= 1.10); peak {summary['seqlab']['peak_mb']:.0f} MB vs "
        f"{summary['hand']['peak_mb']:.0f} MB -> {args.out}"
    )


if __name__ == "__main__":
    main()
