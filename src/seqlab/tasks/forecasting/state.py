"""A fitted Forecaster's learned state on disk: state.json, the weights, history.csv.

The parameters go to config.json through :class:`~seqlab.estimator.Estimator`; what fit
learned besides (columns, frequency, scaler, shapes, split, log) goes here, as plain JSON and
CSV beside the safetensors weights. Attributes are read and written by their names in
:data:`STATE` (``columns_`` is saved as "columns", ...).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from seqlab.data.scaler import Scaler
from seqlab.data.windows import Split
from seqlab.errors import CheckpointError
from seqlab.io import atomic_write, read_json, read_tensors, write_json, write_tensors
from seqlab.models import REGISTRY, model_parameters
from seqlab.models.shape import Shape
from seqlab.tasks.forecasting.panel import ManySeries

__all__ = [
    "STATE",
    "read_model",
    "read_panel_state",
    "read_state",
    "upgrade_config",
    "write_panel_state",
    "write_state",
]

STATE = (
    "columns_",
    "targets_",
    "freq_",
    "scaler_",
    "mase_scale_",
    "shape_",
    "split_",
    "best_epoch_",
    "fit_seconds_",
    "n_params_",
    "precision_",
    "future_",
    "generated_",
)
# Saved by later versions than some folders on disk: the value an older save stands for.
_OPTIONAL: dict[str, Any] = {"precision_": None, "future_": [], "generated_": []}


def _to_json(value: Any) -> Any:
    if isinstance(value, Scaler):
        return value.to_dict()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Shape | Split):
        return asdict(value)
    return value


# What fit learns on long data (a ManySeries): its names in panel.json, its arrays in
# panel.safetensors, beside the conformal residuals (which one series has too).
_PANEL_JSON = {"ids": "ids", "calendar": "calendar", "quantiles": "quantiles", "static": "static"}
_PANEL_ARRAYS = {
    "series_center_": "center",
    "series_scale_": "scale",
    "static_center_": "static_center",
    "static_scale_": "static_scale",
}


def write_panel_state(path: Path, series: ManySeries | None, residuals: np.ndarray | None) -> None:
    """panel.json and panel.safetensors of a Forecaster fitted on long data (``series``);
    for one series, its conformal ``residuals`` alone (in panel.safetensors)."""
    arrays = {} if residuals is None else {"residuals_": residuals}
    if series is not None:
        arrays |= {
            name: getattr(series, field)
            for name, field in _PANEL_ARRAYS.items()
            if np.size(getattr(series, field))  # no static covariates: nothing saved
        }
        write_json(path / "panel.json", {k: list(getattr(series, k)) for k in _PANEL_JSON})
    if arrays:
        write_tensors(
            path / "panel.safetensors",
            {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()},
        )


def read_panel_state(path: Path, *, scaler: str) -> tuple[ManySeries | None, np.ndarray | None]:
    """What :func:`write_panel_state` wrote: the series of a global model (None for one
    series) and the conformal residuals (None for a recursive model or an older save);
    ``scaler`` is the Forecaster's, the rule for a series new to the model."""
    arrays: dict[str, np.ndarray] = {}
    if (path / "panel.safetensors").is_file():
        arrays = {k: v.numpy() for k, v in read_tensors(path / "panel.safetensors").items()}
    series = None
    if (path / "panel.json").is_file():
        saved = read_json(path / "panel.json")
        series = ManySeries(
            ids=list(saved["ids"]),
            center=arrays["series_center_"],
            scale=arrays["series_scale_"],
            calendar=list(saved["calendar"]),
            quantiles=tuple(saved["quantiles"]),
            scaler=scaler,
            static=list(saved.get("static", [])),  # none in a folder saved before them
            static_center=arrays.get("static_center_", np.zeros(0)),
            static_scale=arrays.get("static_scale_", np.ones(0)),
        )
    return series, arrays.get("residuals_")


def write_state(path: Path, state: dict[str, Any], model: nn.Module, history: pd.DataFrame) -> None:
    """state.json (the :data:`STATE` attributes), model.safetensors and history.csv."""
    write_json(path / "state.json", {k.rstrip("_"): _to_json(v) for k, v in state.items()})
    write_tensors(path / "model.safetensors", model.state_dict())
    atomic_write(path / "history.csv", history.to_csv(index=False).encode())


def read_state(path: Path) -> dict[str, Any]:
    """The :data:`STATE` attributes and ``history_`` from a folder of :func:`write_state`."""
    saved = read_json(path / "state.json")
    try:
        state = {
            name: saved.get(name.rstrip("_"), _OPTIONAL[name])
            if name in _OPTIONAL
            else saved[name.rstrip("_")]
            for name in STATE
        }
        if state["scaler_"] is not None:  # None on long data: one scaler per series
            state["scaler_"] = Scaler.from_dict(state["scaler_"])
            state["mase_scale_"] = np.asarray(state["mase_scale_"])
            state["split_"] = Split(**state["split_"])
        shape = state["shape_"]
        state["shape_"] = Shape(**{**shape, "target_index": tuple(shape["target_index"])})
    except (KeyError, TypeError) as err:
        raise CheckpointError(
            f"state.json of the saved model at {str(path)!r} must hold the fitted state; "
            f"got it without {err}. Save the model again."
        ) from None
    history = path / "history.csv"
    state["history_"] = pd.read_csv(history) if history.is_file() else pd.DataFrame()
    return state


# Model settings that were Forecaster parameters before model_params, with their defaults.
_MOVED: dict[str, Any] = {
    "bidirectional": False,
    "num_heads": 4,
    "kernel_size": 25,
    "patch_len": None,
}


def upgrade_config(config: dict[str, Any]) -> dict[str, Any]:
    """Older saves hold model settings as Forecaster parameters: a value other than the
    old default moves into ``model_params`` when the model takes it (else it was unused)."""
    config = dict(config)
    moved = {k: config.pop(k) for k in _MOVED if k in config}
    if moved and config.get("model") in REGISTRY:
        own = model_parameters(config["model"])
        changed = {k: v for k, v in moved.items() if k in own and v != _MOVED[k]}
        if changed:
            config["model_params"] = {**changed, **(config.get("model_params") or {})}
    return config


def read_model(path: Path, model: nn.Module) -> nn.Module:
    """``model`` with the weights of ``path``/model.safetensors."""
    try:
        model.load_state_dict(read_tensors(path / "model.safetensors"))
    except RuntimeError as err:
        raise CheckpointError(
            f"model.safetensors of the saved model at {str(path)!r} must match its "
            f"config.json; got other tensors ({str(err).splitlines()[0]}). Save it again."
        ) from None
    return model
