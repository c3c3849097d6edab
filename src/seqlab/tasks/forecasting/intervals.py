"""Prediction intervals and M4's scores: the levels' quantiles, split-conformal bounds, and
the evaluation of many series at once.

.. [1] Angelopoulos & Bates (2023). Conformal Prediction: A Gentle Introduction. Foundations
       and Trends in Machine Learning 16(4). (Split conformal, section 1.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from seqlab.errors import ConfigError
from seqlab.metrics import (
    coverage,
    interval_score,
    owa,
    pinball,
    series_errors,
    weighted_quantile_loss,
)

__all__ = [
    "PanelEvaluation",
    "conformal_quantile",
    "level_quantiles",
    "panel_scores",
    "with_bands",
]


def conformal_quantile(residuals: np.ndarray, level: float) -> np.ndarray:
    """Split conformal's bound ([1]) at ``level`` % from calibration errors sorted along axis 0:
    the ⌈(n+1)·level/100⌉-th smallest (the largest when that passes n).

    Example:
        >>> conformal_quantile(np.arange(1.0, 10.0)[:, None], 80).tolist()
        [8.0]
    """
    n = len(residuals)
    return residuals[min(math.ceil((n + 1) * level / 100), n) - 1]


def level_quantiles(levels: tuple[int, ...] | list[int]) -> tuple[float, ...]:
    """The quantiles that bound the central intervals of ``levels`` (%), and the median.

    Example:
        >>> level_quantiles([80, 95])
        (0.025, 0.1, 0.5, 0.9, 0.975)
    """
    lows = [round((100 - level) / 200, 6) for level in levels]
    return tuple(sorted({*lows, 0.5, *(round(1 - q, 6) for q in lows)}))


@dataclass
class PanelEvaluation:
    """Scores on every series' last H rows, M4's way.

    ``metrics``: mean sMAPE (%) and MASE over series, OWA against Naive2 (whose own scores
    are ``naive2_smape`` / ``naive2_mase``), and for each level l coverage_l (%); with 95
    among the levels, MSIS; pinball and wql (mean weighted quantile loss) over the bands'
    quantiles and the point forecast as the median. ``per_series`` holds sMAPE, MASE (and
    MSIS) per series; ``y_true`` / ``y_pred`` are (S, H), ``bands`` {level: (lo, hi)}.
    """

    metrics: dict[str, float]
    per_series: pd.DataFrame
    y_true: np.ndarray
    y_pred: np.ndarray
    bands: dict[int, tuple[np.ndarray, np.ndarray]]
    ids: list[str]
    dates: list[Any]

    def summary(self) -> dict[str, float]:
        return dict(self.metrics)


def panel_scores(
    truth: np.ndarray,
    point: np.ndarray,
    naive2: np.ndarray,
    scale: np.ndarray,
    bands: dict[int, tuple[np.ndarray, np.ndarray]],
) -> tuple[dict[str, float], pd.DataFrame]:
    """M4's scores of point forecasts and bands (S, H) against the truth, beside Naive2's
    forecasts, with each series' MASE ``scale`` (S,): the metrics of
    :class:`PanelEvaluation` and a per-series table."""
    errors = series_errors(truth, point, scale)
    naive2_errors = series_errors(truth, naive2, scale)
    metrics = {k: float(v.mean()) for k, v in errors.items()}
    metrics["naive2_smape"] = float(naive2_errors["smape"].mean())
    metrics["naive2_mase"] = float(naive2_errors["mase"].mean())
    metrics["owa"] = owa(
        metrics["smape"], metrics["mase"], metrics["naive2_smape"], metrics["naive2_mase"]
    )
    per_series = pd.DataFrame(errors)
    per_series["naive2_smape"], per_series["naive2_mase"] = (
        naive2_errors["smape"],
        naive2_errors["mase"],
    )
    quantile_forecasts = {0.5: point}
    for level, (lo, hi) in bands.items():
        metrics[f"coverage_{level}"] = coverage(truth, lo, hi)
        q = round((100 - level) / 200, 6)
        quantile_forecasts[q], quantile_forecasts[round(1 - q, 6)] = lo, hi
        if level == 95:
            per_series["msis"] = interval_score(truth, lo, hi, scale, 95)
            metrics["msis"] = float(per_series["msis"].mean())
    if bands:
        metrics["pinball"] = float(
            np.mean([pinball(truth, f, q) for q, f in quantile_forecasts.items()])
        )
        metrics["wql"] = weighted_quantile_loss(truth, quantile_forecasts)
    return metrics, per_series


def with_bands(
    forecast: pd.DataFrame, residuals: np.ndarray | None, levels, strategy: str = "direct"
) -> pd.DataFrame:
    """One series' forecast (H, C) with ``<column>-lo-<level>`` / ``-hi-`` bounds: ± the
    split-conformal bound of the sorted validation errors ``residuals`` (n, H, C)."""
    if levels and residuals is None:
        fix = "Refit it: older saves keep none." if strategy == "direct" else ""
        raise ConfigError(
            f"levels of Forecaster.predict need the conformal residuals that a direct model "
            f"keeps from its fit; got none (strategy={strategy!r}). "
            + (fix or "Use strategy='direct'."),
            param="levels",
        )
    out = forecast.copy()
    for level in levels:
        assert residuals is not None
        half = conformal_quantile(residuals, level)  # (H, C)
        for i, name in enumerate(forecast.columns):
            out[f"{name}-lo-{level}"] = forecast[name].to_numpy() - half[:, i]
            out[f"{name}-hi-{level}"] = forecast[name].to_numpy() + half[:, i]
    return out
