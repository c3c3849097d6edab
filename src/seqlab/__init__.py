"""seqlab: train, compare and ship sequence models on real sequences.

>>> import seqlab as sl
>>> df = sl.datasets.load("msft")
>>> fc = sl.Forecaster(model="lstm", target="Close", lookback=60, horizon=5, epochs=3)
>>> future = fc.fit(df).predict(df)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from seqlab.version import __version__

# Submodules are imported on first use, so `import seqlab` (and `seqlab --help`) stays instant.
_LAZY = {
    "data": "seqlab.data",
    "datasets": "seqlab.datasets",
    "errors": "seqlab.errors",
    "metrics": "seqlab.metrics",
    "models": "seqlab.models",
    "nn": "seqlab.nn",
    "tasks": "seqlab.tasks",
    "text": "seqlab.text",
    "train": "seqlab.train",
}
_ATTRS = {"Forecaster": "seqlab.tasks.forecasting.forecaster"}

__all__ = [
    "Forecaster",
    "__version__",
    "data",
    "datasets",
    "errors",
    "metrics",
    "models",
    "nn",
    "tasks",
    "text",
    "train",
]

if TYPE_CHECKING:
    from seqlab import data, datasets, errors, metrics, models, nn, tasks, text, train
    from seqlab.tasks.forecasting.forecaster import Forecaster


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(_LAZY[name])
    if name in _ATTRS:
        return getattr(importlib.import_module(_ATTRS[name]), name)
    raise AttributeError(f"module 'seqlab' has no attribute {name!r}")
