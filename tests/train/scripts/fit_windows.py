"""A small, seeded fit of the trainer, run in a subprocess (or under torchrun) by the tests.

    python fit_windows.py OUT [--kill N | --term N] [--checkpoint FILE] [--resume FILE]

Trains an MLP with dropout on noisy sine windows, then writes OUT/rank<r>.safetensors (the
final weights) and OUT/rank<r>.json (the history). ``--kill N`` / ``--term N`` send this
process SIGKILL / SIGTERM as it gathers its N-th batch (mid-epoch); ``--dropout 0`` for the
comparison with one process, whose dropout masks no process group can share.
"""

import argparse
import json
import os
import signal
import sys
from pathlib import Path

import torch
from safetensors.torch import save_file
from torch import nn

from seqlab.data.windows import Windows, WindowSet
from seqlab.errors import TrainingInterrupted
from seqlab.train import TrainConfig, Trainer
from seqlab.train import distributed as dist


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--kill", type=int, default=0)
    parser.add_argument("--term", type=int, default=0)
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--resume", default=None)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--epochs", type=int, default=4)
    args = parser.parse_args()

    dist.init()
    g = torch.Generator().manual_seed(0)
    series = torch.sin(torch.arange(700.0) / 10).unsqueeze(1) + 0.1 * torch.randn(
        700, 1, generator=g
    )
    windows = Windows(series, [0], 24, 4)
    train = WindowSet(windows, torch.arange(0, 451))
    val = WindowSet(windows, torch.arange(451, 600))
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(24, 32),
        nn.Dropout(args.dropout),
        nn.ReLU(),
        nn.Linear(32, 4),
        nn.Unflatten(1, (4, 1)),
    )

    gathered = [0]
    gather = WindowSet.batch

    def batch(self, index):
        gathered[0] += 1
        if gathered[0] == args.kill:
            os.kill(os.getpid(), signal.SIGKILL)
        if gathered[0] == args.term:
            os.kill(os.getpid(), signal.SIGTERM)
        return gather(self, index)

    WindowSet.batch = batch
    config = TrainConfig(epochs=args.epochs, batch_size=32, patience=None, seed=3)
    try:
        result = Trainer(config).fit(
            model, train, val, checkpoint=args.checkpoint, resume=args.resume
        )
    except TrainingInterrupted as err:
        print(err)
        sys.exit(143)
    args.out.mkdir(parents=True, exist_ok=True)
    rank = dist.rank()
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()},
        args.out / f"rank{rank}.safetensors",
    )
    (args.out / f"rank{rank}.json").write_text(json.dumps(result.history))


if __name__ == "__main__":
    main()
