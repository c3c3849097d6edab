"""The forecasting model zoo and its registry.

Every model maps a window (N, L, C_in) of scaled inputs to (N, H, C_out) scaled outputs, is
built from a :class:`Shape` plus the hyper-parameters it names in ``hyperparameters``, and says
whether it has anything to train (``trainable``; the baselines do not). Adding a model is one
file, one line in ``REGISTRY`` and one row in the contract tests.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from torch import nn

from seqlab.errors import ConfigError

__all__ = ["BASELINES", "REGISTRY", "Shape", "build", "model_class"]


@dataclass(frozen=True)
class Shape:
    """What a model must know of the data: window sizes, channels, and which inputs are targets."""

    lookback: int
    horizon: int
    input_size: int
    output_size: int
    target_index: tuple[int, ...]  # the input columns that are also outputs, in output order
    season_length: int = 1


# name -> (module, class, fixed arguments)
REGISTRY: dict[str, tuple[str, str, dict[str, Any]]] = {
    "rnn": ("seqlab.models.recurrent", "RecurrentForecaster", {"kind": "rnn"}),
    "lstm": ("seqlab.models.recurrent", "RecurrentForecaster", {"kind": "lstm"}),
    "gru": ("seqlab.models.recurrent", "RecurrentForecaster", {"kind": "gru"}),
    "transformer": ("seqlab.models.transformer", "TransformerForecaster", {}),
    "tcn": ("seqlab.models.tcn", "TCN", {}),
    "dlinear": ("seqlab.models.linear", "DLinear", {}),
    "naive": ("seqlab.models.baselines", "Naive", {}),
    "seasonal_naive": ("seqlab.models.baselines", "SeasonalNaive", {}),
    "drift": ("seqlab.models.baselines", "Drift", {}),
    "mean": ("seqlab.models.baselines", "Mean", {}),
}

BASELINES = ("naive", "seasonal_naive", "drift", "mean")


def model_class(name: str) -> type[nn.Module]:
    if name not in REGISTRY:
        raise ConfigError(
            f"model of Forecaster must be one of {', '.join(REGISTRY)}; got {name!r}. "
            "Pick a registered model."
        )
    module, cls, _ = REGISTRY[name]
    return getattr(importlib.import_module(module), cls)


def build(name: str, shape: Shape, params: Mapping[str, Any]) -> nn.Module:
    """Instantiate model ``name`` for ``shape``, taking from ``params`` the names it declares."""
    cls = model_class(name)
    chosen = {key: params[key] for key in getattr(cls, "hyperparameters", ())}
    return cls(shape, **REGISTRY[name][2], **chosen)
