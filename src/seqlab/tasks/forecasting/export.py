"""Export a saved forecaster to ONNX, to serve it where neither seqlab nor PyTorch is.

``export(folder)`` writes ``model.onnx`` (the network, scaled windows in, scaled forecasts
out, any batch size) and ``onnx.json`` beside it: what a server needs around the network,
as plain numbers (the columns in order, the lookback and horizon, the strategy, and the
scaler's centre and scale per column). ``examples/serve_onnx.py`` serves it with NumPy and
onnxruntime alone. The exporter is PyTorch's own (``torch.onnx.export``, through
``torch.export``); the recurrent, convolutional, linear and Transformer forecasters go, the
fused LSTM / GRU kernels included.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import torch

from seqlab.errors import ConfigError, renamed
from seqlab.io import write_json
from seqlab.tasks.forecasting.forecaster import Forecaster

__all__ = ["FORMATS", "export"]

FORMATS = ("onnx",)


def export(folder: str | Path, fmt: str = "onnx", out: str | Path | None = None) -> Path:
    """Export the forecaster saved in ``folder`` (by ``Forecaster.save`` or a run of
    ``seqlab forecast``: ``RUN/lstm``) to ``out`` (default ``folder``/model.onnx), with its
    ``onnx.json`` beside; return the ONNX file."""
    if fmt not in FORMATS:
        raise ConfigError(
            f"format of seqlab export must be one of {', '.join(FORMATS)}; got {fmt!r}. "
            "Pass --format onnx.",
            param="format",
        )
    folder = Path(folder)
    with renamed(path="folder"):
        fc = Forecaster.load(folder, device="cpu")
    if fc.is_global or not fc._trainable():
        raise ConfigError(
            f"folder of seqlab export must hold a network forecaster of one series; got "
            f"{'a baseline' if not fc._trainable() else 'a global model of many series'} "
            f"({fc.model}). Export a network trained with seqlab forecast on one series.",
            param="folder",
        )
    if fc.future_:
        raise ConfigError(
            f"folder of seqlab export must hold a model that reads its window alone; got "
            f"{fc.model} with the future covariates {', '.join(fc.future_)}, which ONNX export "
            "does not take yet. Serve it with seqlab serve instead.",
            param="folder",
        )
    path = Path(out) if out is not None else folder / "model.onnx"
    path.parent.mkdir(parents=True, exist_ok=True)
    model = fc.model_.eval()
    x = torch.zeros(2, fc.lookback, len(fc.columns_))
    batch = torch.export.Dim("batch", min=1)
    with warnings.catch_warnings(), _quiet():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (x,),
            str(path),
            input_names=["x"],
            output_names=["y"],
            dynamic_shapes={"x": {0: batch}},
            dynamo=True,
            verbose=False,
        )
    write_json(
        path.with_name("onnx.json"),
        {
            "model": fc.model,
            "file": path.name,
            "input": "x",
            "output": "y",
            "columns": fc.columns_,
            "targets": fc.targets_,
            "lookback": fc.lookback,
            "horizon": fc.horizon,
            "strategy": fc.strategy,
            "freq": fc.freq_,
            "scaler": fc.scaler_.to_dict(),
            "shape": "x (batch, lookback, columns) scaled -> y (batch, steps, targets) scaled; "
            "steps is horizon, or 1 when strategy is recursive",
        },
    )
    return path


class _quiet:
    """Silence the exporter's log lines (its notes on optional packages) while it runs."""

    def __enter__(self) -> None:
        self._logger = logging.getLogger("torch.onnx")
        self._level = self._logger.level
        self._logger.setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        self._logger.setLevel(self._level)
