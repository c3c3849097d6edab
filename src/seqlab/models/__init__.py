"""The forecasting model zoo and its registry.

Every model maps a window (N, L, C_in) of scaled inputs to (N, H, C_out) scaled outputs, is
built from a :class:`Shape` plus the hyper-parameters it names in ``hyperparameters``, and says
whether it has anything to train (``trainable``; the baselines do not). Adding a model is one
file, one line in ``REGISTRY`` and one row in the contract tests.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from torch import Tensor, nn

from seqlab.errors import ConfigError

__all__ = ["BASELINES", "REGISTRY", "ChannelIndependent", "Shape", "build", "model_class"]


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
    "segrnn": ("seqlab.models.segrnn", "SegRNN", {}),
    "patchtst": ("seqlab.models.patchtst", "PatchTST", {}),
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


class ChannelIndependent(nn.Module):
    """Run a univariate model on every channel separately, with shared weights.

    (N, L, C) → (N·C, L, 1) → model → (N·C, H, 1) → (N, H, C), then the target channels. The
    idea of [Nie et al. 2023, PatchTST] applied to any model of the zoo: channels become more
    training examples instead of more input features.
    """

    def __init__(self, model: nn.Module, shape: Shape) -> None:
        super().__init__()
        self.model = model
        self.target_index = list(shape.target_index)

    def forward(self, x: Tensor) -> Tensor:
        n, length, c = x.shape
        y = self.model(x.transpose(1, 2).reshape(n * c, length, 1))  # (N·C, H, 1)
        y = y.reshape(n, c, -1).transpose(1, 2)  # (N, H, C)
        return y[:, :, self.target_index]


def build(name: str, shape: Shape, params: Mapping[str, Any]) -> nn.Module:
    """Instantiate model ``name`` for ``shape``, taking from ``params`` the names it declares.

    With ``params["channel_independent"]`` a trainable model is built for one channel and
    wrapped in :class:`ChannelIndependent`.
    """
    cls = model_class(name)
    chosen = {key: params[key] for key in getattr(cls, "hyperparameters", ())}
    if params.get("channel_independent") and getattr(cls, "trainable", True):
        single = replace(shape, input_size=1, output_size=1, target_index=(0,))
        return ChannelIndependent(cls(single, **REGISTRY[name][2], **chosen), shape)
    return cls(shape, **REGISTRY[name][2], **chosen)
