"""The trainer's bookkeeping: where a fit stands (:class:`RunState`, what a checkpoint holds
besides its tensors), the progress bar and its line, and small helpers of the loops."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from torch import Tensor

from seqlab.train.base import TrainResult

__all__ = ["RunState", "cut_rows", "epoch_line", "index_dtype", "progress_bar"]


@dataclass
class RunState:
    """Where a fit stands: what a checkpoint holds besides the tensors it names."""

    epoch: int = 0  # epochs finished
    step: int = 0  # steps finished in the epoch under way
    lr: float = 0.0  # the learning rate the epoch under way began with
    best_loss: float = math.inf
    waited: int = 0
    result: TrainResult = field(default_factory=TrainResult)
    best: dict[str, Tensor] | None = None
    total: Tensor | None = None  # the epoch's [loss × units, units] summed so far
    order_state: Tensor | None = None  # the shuffle's state when the epoch began
    good: dict[str, Tensor] | None = None  # weights at the last check (GPU only)
    first_bad: Tensor | None = None  # the first batch with a non-finite loss or gradient, or 0

    def progress(self) -> dict[str, Any]:
        r = self.result
        return {
            "epoch": self.epoch,
            "step": self.step,
            "lr": self.lr,
            "best_loss": self.best_loss,
            "waited": self.waited,
            "history": r.history,
            "best_epoch": r.best_epoch,
            "stopped_early": r.stopped_early,
        }

    def restore(self, p: dict[str, Any]) -> None:
        self.epoch, self.step, self.lr = p["epoch"], p["step"], p["lr"]
        self.best_loss, self.waited = float(p["best_loss"]), p["waited"]
        self.result = TrainResult(p["history"], p["best_epoch"], 0.0, p["stopped_early"])


def cut_rows(values: Any, n: int, rows: Tensor) -> Any:
    """``values`` (tensors, nested in tuples) cut to ``rows`` where they have ``n`` rows."""
    if isinstance(values, tuple):
        return tuple(cut_rows(v, n, rows) for v in values)
    if isinstance(values, Tensor) and values.dim() and len(values) == n:
        return values[rows.to(values.device)] if len(rows) else values[:1]
    return values


def epoch_line(row: dict[str, float]) -> str:
    return (
        f"train {row['train_loss']:.4f}"
        + ("" if math.isnan(row["val_loss"]) else f"  val {row['val_loss']:.4f}")
        + ("" if "val_score" not in row else f"  score {row['val_score']:.4f}")
    )


def index_dtype(n: int) -> torch.dtype:
    """int32 for an epoch's order when it fits: half the memory of a shuffle of millions."""
    return torch.int32 if n < 2**31 else torch.long


def progress_bar(verbose: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("epoch {task.completed}/{task.total}"),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        disable=not verbose,
        transient=False,
    )
