"""Chronological splits and sliding windows as views.

A window starting at row s reads rows [s, s+L) as input and rows [s+L, s+L+H) as target. A
window belongs to the part (train / val / test) that holds all of its target rows; its input
may reach back into earlier parts, never forward. The windows themselves are
``Tensor.unfold`` views over the one (T, C) data tensor: building them allocates nothing, and a
batch is one index gather.

where:
    T  rows      C  input columns      C_out  target columns
    L  lookback  H  horizon            N      windows in a batch
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import torch
from torch import Tensor

from seqlab.errors import DataError

__all__ = ["Split", "WindowSet", "Windows", "chronological_split"]


@dataclass(frozen=True)
class Split:
    """Target rows [0, train_end) train, [train_end, val_end) val, [val_end, rows) test."""

    train_end: int
    val_end: int
    rows: int

    def bounds(self, part: str) -> tuple[int, int]:
        return {
            "train": (0, self.train_end),
            "val": (self.train_end, self.val_end),
            "test": (self.val_end, self.rows),
        }[part]

    def starts(self, part: str, lookback: int, horizon: int) -> Tensor:
        """Start rows of every window whose H target rows lie inside ``part``."""
        lo, hi = self.bounds(part)
        first = max(lo - lookback, 0)  # targets begin at start + lookback >= lo
        last = hi - lookback - horizon  # targets end at start + lookback + horizon <= hi
        return torch.arange(first, max(last + 1, first))

    def require_windows(self, lookback: int, horizon: int, test_horizon: int | None = None) -> None:
        """Stop with one sentence unless every part has at least one window (the test part
        with ``test_horizon`` steps, when it differs: a recursive model trains on one)."""
        h_test = horizon if test_horizon is None else test_horizon
        counts = {
            "training": len(self.starts("train", lookback, horizon)),
            "validation": len(self.starts("val", lookback, horizon)),
            "test": len(self.starts("test", lookback, h_test)),
        }
        if min(counts.values()) > 0:
            return
        left = ", ".join(f"{n} {part}" for part, n in counts.items())
        raise DataError(
            f"data must have enough rows for lookback={lookback} and horizon={h_test} in each "
            f"of the train/validation/test parts; got {self.rows} rows, which leave {left} "
            "windows. Use a shorter lookback or horizon, or more data.",
            param="lookback",
        )


def chronological_split(
    index: pd.Index,
    val_size: float,
    test_size: float,
    split_dates: tuple[str, str] | None = None,
) -> Split:
    """Split rows in time order by fractions, or at two dates (validation start, test start)."""
    rows = len(index)
    if split_dates is None:
        test_rows = math.floor(rows * test_size)
        val_rows = math.floor(rows * val_size)
        return Split(rows - test_rows - val_rows, rows - test_rows, rows)
    val_start, test_start = (pd.Timestamp(d) for d in split_dates)
    if not index[0] < val_start < test_start <= index[-1]:
        raise DataError(
            f"split_dates must be two increasing dates inside the data "
            f"({index[0].date()} .. {index[-1].date()}); got {split_dates!r}. Pass "
            "(validation start, test start).",
            param="split_dates",
        )
    return Split(int(index.searchsorted(val_start)), int(index.searchsorted(test_start)), rows)


class Windows:
    """Every (input, target) window of a series, as views; ``batch(starts)`` gathers some.

    With ``future_columns`` (the columns known ahead, see ``Shape.future_size``) a batch's
    inputs are ``(x, future)``: the window and those columns' values at its H target rows.

    Example:
        >>> data = torch.arange(20.0).reshape(10, 2)
        >>> w = Windows(data, [1], lookback=3, horizon=2)
        >>> x, y = w.batch(torch.tensor([0, 4]))
        >>> x.shape, y.shape, y[1, :, 0].tolist()
        (torch.Size([2, 3, 2]), torch.Size([2, 2, 1]), [15.0, 17.0])
    """

    def __init__(
        self,
        data: Tensor,
        target_columns: list[int],
        lookback: int,
        horizon: int,
        future_columns: list[int] | None = None,
    ):
        self.lookback = lookback
        self.horizon = horizon
        self.inputs = data.unfold(0, lookback, 1)  # (T-L+1, C, L), a view
        first, last = target_columns[0], target_columns[-1]
        if target_columns == list(range(first, last + 1)):
            target = data[:, first : last + 1]  # a view
        else:
            target = data[:, target_columns]  # a (T, C_out) copy, still O(T x C)
        self.targets = target.unfold(0, horizon, 1)  # (T-H+1, C_out, H), a view
        self.future = None
        if future_columns:
            self.future = data[:, future_columns].unfold(0, horizon, 1)  # (T-H+1, F, H)

    def batch(self, starts: Tensor) -> tuple[Any, Tensor]:
        x = self.inputs[starts].transpose(1, 2)  # (N, L, C)
        y = self.targets[starts + self.lookback].transpose(1, 2)  # (N, H, C_out)
        if self.future is None:
            return x, y
        return (x, self.future[starts + self.lookback].transpose(1, 2)), y  # future (N, H, F)


@dataclass
class WindowSet:
    """Some windows of a series (one part of a split): what the Trainer iterates over."""

    windows: Windows
    starts: Tensor

    def __len__(self) -> int:
        return len(self.starts)

    def batch(self, index: Tensor) -> tuple[Any, Tensor]:
        return self.windows.batch(self.starts[index])
