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
from torch import nn

from seqlab.data.scaler import Scaler
from seqlab.data.windows import Split
from seqlab.errors import CheckpointError
from seqlab.io import atomic_write, read_json, write_json, write_tensors
from seqlab.models.shape import Shape

__all__ = ["STATE", "read_state", "write_state"]

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
)


def _to_json(value: Any) -> Any:
    if isinstance(value, Scaler):
        return value.to_dict()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Shape | Split):
        return asdict(value)
    return value


def write_state(path: Path, state: dict[str, Any], model: nn.Module, history: pd.DataFrame) -> None:
    """state.json (the :data:`STATE` attributes), model.safetensors and history.csv."""
    write_json(path / "state.json", {k.rstrip("_"): _to_json(v) for k, v in state.items()})
    write_tensors(path / "model.safetensors", model.state_dict())
    atomic_write(path / "history.csv", history.to_csv(index=False).encode())


def read_state(path: Path) -> dict[str, Any]:
    """The :data:`STATE` attributes and ``history_`` from a folder of :func:`write_state`."""
    saved = read_json(path / "state.json")
    try:
        state = {name: saved[name.rstrip("_")] for name in STATE}
        state["scaler_"] = Scaler.from_dict(state["scaler_"])
        state["mase_scale_"] = np.asarray(state["mase_scale_"])
        shape = state["shape_"]
        state["shape_"] = Shape(**{**shape, "target_index": tuple(shape["target_index"])})
        state["split_"] = Split(**state["split_"])
    except (KeyError, TypeError) as err:
        raise CheckpointError(
            f"state.json of the saved model at {str(path)!r} must hold the fitted state; "
            f"got it without {err}. Save the model again."
        ) from None
    history = path / "history.csv"
    state["history_"] = pd.read_csv(history) if history.is_file() else pd.DataFrame()
    return state
