"""What a forecaster's evaluation returns: scores beside the naive forecast, and backtests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from seqlab.data.windows import Split
from seqlab.errors import DataError
from seqlab.metrics import forecast_metrics

__all__ = ["Backtest", "Evaluation", "rolling_backtest", "score"]


@dataclass
class Evaluation:
    """Scores on the test windows, in the data's own units, beside the naive forecast.

    ``metrics`` and ``naive`` hold MSE, RMSE, MAE, MAPE (%), sMAPE (%), MASE and direction
    accuracy (%); ``per_step`` and ``naive_per_step`` the same by horizon step; ``skill`` is
    1 - RMSE / RMSE_naive (above 0: better than "tomorrow = today"). ``y_true``, ``y_pred``
    and ``y_naive`` are (windows, H, targets); ``dates`` the date of each window's first step.
    """

    metrics: dict[str, float]
    per_step: pd.DataFrame
    naive: dict[str, float]
    naive_per_step: pd.DataFrame
    skill: float
    y_true: np.ndarray
    y_pred: np.ndarray
    y_naive: np.ndarray
    dates: pd.Index
    targets: list[str]

    def summary(self) -> dict[str, float]:
        return {**self.metrics, "naive_rmse": self.naive["rmse"], "skill": self.skill}


@dataclass
class Backtest:
    """Rolling-origin evaluation: one row per fold, and per fold and step."""

    folds: pd.DataFrame
    per_step: pd.DataFrame

    @classmethod
    def of(cls, evaluations: list[Evaluation], spans: list[tuple[Any, Any]]) -> Backtest:
        """The folds' evaluations and (first, last) test dates, in order, as one table per
        fold and one per fold and step."""
        rows, steps = [], []
        for k, (ev, (first, last)) in enumerate(zip(evaluations, spans, strict=True), start=1):
            rows.append(
                {
                    "fold": k,
                    "test_start": first,
                    "test_end": last,
                    "windows": len(ev.y_true),
                    **ev.summary(),
                }
            )
            steps.append(ev.per_step.assign(fold=k).reset_index())
        per_step = pd.concat(steps, ignore_index=True).set_index(["fold", "step"])
        return cls(pd.DataFrame(rows).set_index("fold"), per_step)


def score(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    last: np.ndarray,
    mase_scale: np.ndarray,
    dates: pd.Index,
    targets: list[str],
) -> Evaluation:
    """Score (N, H, C) forecasts against the truth and beside the naive forecast, which
    repeats ``last`` (N, C), the last observed value of each window."""
    horizon = y_true.shape[1]
    y_naive = np.repeat(last[:, None, :], horizon, axis=1)
    metrics, per_step = forecast_metrics(y_true, y_pred, last, mase_scale)
    naive, naive_per_step = forecast_metrics(y_true, y_naive, last, mase_scale)
    skill = 1 - metrics["rmse"] / naive["rmse"] if naive["rmse"] > 0 else float("nan")
    return Evaluation(
        metrics, per_step, naive, naive_per_step, skill, y_true, y_pred, y_naive, dates, targets
    )


def rolling_backtest(fc: Any, data: pd.DataFrame, targets: list[str], split: Split, folds: int):
    """Forecaster.backtest on checked data: the test part cut into ``folds`` consecutive
    blocks, a fresh forecaster with ``fc``'s parameters fitted on everything before each (its
    validation rows just before the block) and scored on it."""
    val_rows = split.val_end - split.train_end
    block = (split.rows - split.val_end) // folds
    if block < fc.horizon:
        raise DataError(
            f"folds of Forecaster.backtest must leave at least horizon={fc.horizon} test "
            f"rows per fold; got {folds} folds over {split.rows - split.val_end} test rows. "
            "Use fewer folds or a larger test_size.",
            param="folds",
        )
    evaluations, spans = [], []
    for k in range(folds):
        test_start = split.val_end + k * block
        test_end = split.rows if k == folds - 1 else test_start + block
        fold_split = Split(test_start - val_rows, test_start, test_end)
        fold = type(fc)(**fc.get_params())
        fold._fit_data(data.iloc[:test_end], targets, fold_split)
        evaluations.append(fold._evaluate_data(data.iloc[:test_end], fold_split))
        spans.append((data.index[test_start], data.index[test_end - 1]))
    return Backtest.of(evaluations, spans)
