"""scikit-learn's estimator contract, shared by the Forecaster and the text tasks.

``__init__`` stores its keyword arguments unchanged (validation happens in ``fit``);
``get_params`` / ``set_params`` read and write them by the names in the constructors'
signatures; learned state ends in ``_``.
"""

from __future__ import annotations

import inspect
from typing import Any

from seqlab.errors import ConfigError

__all__ = ["Estimator"]


class Estimator:
    """Parameters by constructor signature, for every class in the hierarchy."""

    @classmethod
    def _param_names(cls) -> list[str]:
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            init = klass.__dict__.get("__init__")
            if init is None or klass is object:
                continue
            for p in inspect.signature(init).parameters.values():
                if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self" and p.name not in names:
                    names.append(p.name)
        return names

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        thing = type(self).__name__
        for name, value in params.items():
            if name not in self._param_names():
                raise ConfigError(
                    f"{name} of {thing} must be one of its parameters; got {name!r}. See "
                    f"help(seqlab.{thing}) for the list."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = type(self)().get_params()
        changed = {k: v for k, v in self.get_params().items() if v != defaults[k]}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"
