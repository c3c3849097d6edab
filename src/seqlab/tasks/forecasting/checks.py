"""The Forecaster's parameter table and column checks, in one place.

Parameters are checked in ``fit`` (scikit-learn's convention: ``__init__`` stores them
unchanged) against :data:`RULES`, with one message template (:func:`seqlab.errors.check`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError, NumericsError, Rule, check, one_of, positive_int, probability
from seqlab.models import STATISTICAL, model_class

__all__ = ["LOSSES", "RULES", "SEASONS", "check_finite", "check_params", "resolve_columns"]

# Season lengths for seasonal_naive when season_length is not given, by pandas frequency.
SEASONS = {"B": 5, "D": 7, "W": 52, "MS": 12, "ME": 12, "M": 12, "QS": 4, "QE": 4, "h": 24}

LOSSES = {"mse": nn.functional.mse_loss, "mae": nn.functional.l1_loss}


def _fraction(v: Any) -> bool:
    return isinstance(v, int | float) and 0 < v < 1


RULES = {
    "target": Rule(
        "a column name or a non-empty list of them",
        lambda v: v is None or isinstance(v, str) or (isinstance(v, list | tuple) and len(v) > 0),
    ),
    "lookback": positive_int(),
    "horizon": positive_int(),
    "strategy": one_of("direct", "recursive"),
    "hidden_size": positive_int(),
    "num_layers": positive_int(),
    "dropout": probability(),
    "model_params": Rule(
        "None or a mapping of the model's parameter names to values",
        lambda v: v is None or isinstance(v, Mapping),
    ),
    "season_length": Rule("None or a positive integer", lambda v: v is None or v > 0),
    "scaler": one_of("standard", "minmax", "none", "asinh"),
    "val_size": Rule("a fraction in (0, 1)", _fraction),
    "test_size": Rule("a fraction in (0, 1)", _fraction),
    "missing": one_of("error", "ffill", "interpolate"),
    "loss": one_of(*LOSSES, "pinball"),
    "id_col": Rule("None or a column name", lambda v: v is None or isinstance(v, str)),
    "time_col": Rule("a column name", lambda v: isinstance(v, str)),
    "series_embedding": Rule("a non-negative integer", lambda v: isinstance(v, int) and v >= 0),
    "calendar": Rule("True or False", lambda v: isinstance(v, bool)),
    "step": positive_int(),
    "static_features": Rule(
        "None or a list of column names",
        lambda v: v is None or (isinstance(v, list | tuple) and all(isinstance(c, str) for c in v)),
    ),
    "future_features": Rule(
        "None or a list of column names",
        lambda v: v is None or (isinstance(v, list | tuple) and all(isinstance(c, str) for c in v)),
    ),
    "holidays": Rule(
        "None or a country code such as 'US'", lambda v: v is None or isinstance(v, str)
    ),
    "levels": Rule(
        "a list of interval levels in (0, 100), in %",
        lambda v: (
            isinstance(v, list | tuple)
            and all(isinstance(x, int | float) and 0 < x < 100 for x in v)
        ),
    ),
}


def check_finite(y: Tensor, model: str) -> Tensor:
    """``y``, the model's forecasts, when every value is finite: never a silent NaN forecast."""
    if not bool(torch.isfinite(y).all()):
        raise NumericsError(
            f"forecasts of the {model} Forecaster must be finite; got NaN or inf from its "
            "weights or inputs. Refit it (lower lr), or check the data for extreme values."
        )
    return y


def check_params(params: Mapping[str, Any]) -> None:
    """Check a Forecaster's parameters; raise ConfigError at the first one broken."""
    model_class(params["model"])
    check("Forecaster", RULES, params)
    if params["model"] in STATISTICAL and params["strategy"] == "recursive":
        raise ConfigError(
            f"strategy of Forecaster must be 'direct' for the statistical model "
            f"{params['model']}, which forecasts all H steps itself; got 'recursive'. Drop "
            "strategy='recursive'.",
            param="strategy",
        )
    if params["val_size"] + params["test_size"] >= 1:
        raise ConfigError(
            f"val_size + test_size of Forecaster must be below 1; got "
            f"{params['val_size'] + params['test_size']}. Leave rows for training.",
            param="val_size",
        )


def resolve_columns(
    df: pd.DataFrame,
    target: str | list[str] | None,
    features: list[str] | None,
    strategy: str,
) -> tuple[list[str], list[str]]:
    """(input columns with the targets first, target columns)."""
    if target is None:
        if df.shape[1] != 1:
            raise ConfigError(
                f"target of Forecaster must be given when the data has several columns; "
                f"got None for columns {', '.join(map(str, df.columns))}. Pass target='...'.",
                param="target",
            )
        targets = [str(df.columns[0])]
    else:
        targets = [target] if isinstance(target, str) else list(target)
    extra = [f for f in (features or []) if f not in targets]
    if strategy == "recursive" and extra:
        raise ConfigError(
            f"features of Forecaster must all be targets with strategy='recursive', since "
            f"a one-step model must forecast every input it is fed back; got {extra} beyond "
            f"{targets}. Add them to target, or use strategy='direct'.",
            param="features",
        )
    return targets + extra, targets
