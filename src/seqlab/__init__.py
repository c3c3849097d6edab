"""seqlab: train, compare and ship sequence models on real sequences.

>>> import seqlab as sl
>>> layer = sl.nn.Recurrent("lstm", input_size=3, hidden_size=8)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Submodules are imported on first use, so `import seqlab` (and `seqlab --help`) stays instant.
_LAZY = {"nn": "seqlab.nn", "errors": "seqlab.errors"}

__all__ = ["__version__", "errors", "nn"]

if TYPE_CHECKING:
    from seqlab import errors, nn


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(_LAZY[name])
    raise AttributeError(f"module 'seqlab' has no attribute {name!r}")
