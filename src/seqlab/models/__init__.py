"""The forecasting model zoo and its registry.

Every model maps a window (N, L, C_in) of scaled inputs to (N, H, C_out) scaled outputs (and,
built for future covariates, reads their H known rows as a second input, see :class:`Shape`). It is
built from a :class:`Shape` and its own keyword arguments, whose defaults sit in its
``__init__``: the settings every model may share (:data:`COMMON`: ``hidden_size``,
``num_layers``, ``dropout``) are passed when it names them, and anything else of its own
(TCN's ``kernel_size``, SegRNN's ``patch_len``, ...) through one ``model_params`` mapping.
Two class attributes say what the model is: ``trainable`` (the baselines have nothing to
train) and ``normalises`` (it normalises its own input, so no second RevIN goes around it).
Adding a model is one file and one line in ``REGISTRY``; the contract tests run over the
whole registry.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from torch import nn

from seqlab.errors import ConfigError
from seqlab.models.shape import Shape
from seqlab.models.wrappers import ChannelIndependent, QuantileHead, SeriesEmbedding, WithRevIN

__all__ = [
    "BASELINES",
    "COMMON",
    "QUANTILE_MODELS",
    "REGISTRY",
    "STATISTICAL",
    "Shape",
    "build",
    "model_class",
    "model_parameters",
]


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
    "nbeats": ("seqlab.models.nbeats", "NBeats", {}),
    "naive": ("seqlab.models.baselines", "Naive", {}),
    "seasonal_naive": ("seqlab.models.baselines", "SeasonalNaive", {}),
    "drift": ("seqlab.models.baselines", "Drift", {}),
    "mean": ("seqlab.models.baselines", "Mean", {}),
    "naive2": ("seqlab.models.baselines", "Naive2", {}),
    "ets": ("seqlab.models.statistical", "Statistical", {"kind": "ets"}),
    "arima": ("seqlab.models.statistical", "Statistical", {"kind": "arima"}),
    "theta": ("seqlab.models.statistical", "Statistical", {"kind": "theta"}),
    "mstl": ("seqlab.models.statistical", "Statistical", {"kind": "mstl"}),
}

STATISTICAL = ("ets", "arima", "theta", "mstl")  # statsforecast's, the `stats` extra
BASELINES = ("naive", "seasonal_naive", "drift", "mean", "naive2", *STATISTICAL)


COMMON = ("hidden_size", "num_layers", "dropout")  # settings any model may take by name

# The models whose output head is free to emit one output per quantile.
QUANTILE_MODELS = ("rnn", "lstm", "gru", "transformer", "tcn", "dlinear", "nbeats")


def model_class(name: str) -> type[nn.Module]:
    """The class registered as ``name``."""
    if name not in REGISTRY:
        raise ConfigError(
            f"model must be one of the registered models {', '.join(REGISTRY)}; got {name!r}. "
            "Pick one of them, or add yours to seqlab.models.REGISTRY.",
            param="model",
        )
    module, cls, _ = REGISTRY[name]
    return getattr(importlib.import_module(module), cls)


def model_parameters(name: str) -> dict[str, Any]:
    """The keyword arguments model ``name`` takes beyond its :class:`Shape`, with their
    defaults (those the registry fixes, such as the recurrent ``kind``, left out).

    Example:
        >>> model_parameters("tcn")
        {'hidden_size': 64, 'num_layers': 2, 'dropout': 0.0, 'kernel_size': 3}
    """
    fixed = REGISTRY[name][2] if name in REGISTRY else {}
    signature = inspect.signature(model_class(name).__init__)
    return {
        p.name: p.default
        for p in signature.parameters.values()
        if p.name not in ("self", "shape", *fixed) and p.kind is p.POSITIONAL_OR_KEYWORD
    }


def build(
    name: str,
    shape: Shape,
    *,
    common: Mapping[str, Any] | None = None,
    model_params: Mapping[str, Any] | None = None,
    revin: bool = False,
    channel_independent: bool = False,
    series: tuple[int, int] = (0, 0),
    quantiles: tuple[float, ...] = (),
) -> nn.Module:
    """Instantiate model ``name`` for ``shape``.

    ``common``: values of the :data:`COMMON` settings, passed to the model when it names them;
    ``model_params``: the model's own arguments (see :func:`model_parameters`), every name
    checked. ``channel_independent`` builds a trainable model for one channel and runs it on
    each (:class:`~seqlab.models.wrappers.ChannelIndependent`); ``revin`` wraps a trainable
    model that does not normalise itself in RevIN (:class:`~seqlab.models.wrappers.WithRevIN`).
    """
    cls = model_class(name)
    own = model_parameters(name)
    given = dict(model_params or {})
    shared = sorted(set(given) & set(COMMON))
    unknown = sorted(set(given) - set(own))
    if shared or unknown:
        names = ", ".join(k for k in own if k not in COMMON) or "none"
        raise ConfigError(
            f"model_params of the {name} model must name its own parameters ({names}); got "
            f"{shared + unknown}. Set {', '.join(COMMON)} directly, and check the spelling of "
            "the others.",
            param="model_params",
        )
    kwargs = {k: v for k, v in (common or {}).items() if k in own and k in COMMON} | given
    trainable = getattr(cls, "trainable", True)
    fixed = REGISTRY[name][2]
    model: nn.Module
    n_series, dim = series if trainable else (0, 0)
    q = len(quantiles) if trainable else 0
    inner = replace(shape, input_size=shape.input_size + dim)
    if q:
        if shape.output_size != 1 or name not in QUANTILE_MODELS or channel_independent:
            raise ConfigError(
                f"loss='pinball' of the {name} model must have one target and a model with its "
                f"own output head ({', '.join(QUANTILE_MODELS)}), without channel_independent; "
                f"got {shape.output_size} target(s). Pick one of those, or use the conformal "
                "intervals of predict(levels=...).",
                param="loss",
            )
        inner = replace(inner, output_size=q)
    if channel_independent and trainable:
        if dim:
            raise ConfigError(
                f"series of the {name} model must have no embedding with "
                f"channel_independent; got dim {dim}. Drop one of the two.",
                param="series",
            )
        single = replace(shape, input_size=1, output_size=1, target_index=(0,))  # F stays
        model = ChannelIndependent(cls(single, **fixed, **kwargs), shape)
    else:
        model = cls(inner, **fixed, **kwargs)
    if dim:
        model = SeriesEmbedding(model, n_series, dim)
    if revin and trainable and not getattr(cls, "normalises", False):
        model = WithRevIN(model, shape)
    if q:
        model = QuantileHead(model, quantiles)
    return model
