"""scikit-learn's estimator contract, shared by every estimator of seqlab.

``__init__`` stores its keyword arguments unchanged (validation happens in ``fit``);
``get_params`` / ``set_params`` read and write them by the names in the constructor's
signature; learned state ends in ``_``; ``fit`` returns self. What every estimator needs
besides lives here once: the not-fitted check, and the parameters' part of save and load
(``config.json`` with the version stamp, unknown parameters refused on load).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from seqlab.errors import CheckpointError, ConfigError, NotFittedError
from seqlab.io import read_json, write_json
from seqlab.version import __version__

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Estimator"]


class Estimator:
    """Parameters by constructor signature; the contract's shared checks and files.

    Subclasses name in ``_fitted`` the attribute that ``fit`` and ``load`` set (its absence
    means "not fitted"), and may bring the parameters of older saves up to date in
    :meth:`_upgrade` (a renamed or moved parameter), so that those saves load unchanged.
    """

    _fitted: ClassVar[str] = "model_"

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            p.name
            for p in signature.parameters.values()
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments as stored (``deep`` is accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        thing = type(self).__name__
        for name, value in params.items():
            if name not in self._param_names():
                raise ConfigError(
                    f"{name} of {thing} must be one of its parameters; got {name!r}. See "
                    f"help({thing}) for the list."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = {k: v for k, v in self.get_params().items() if v != defaults.get(k)}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # -- the contract's shared checks --------------------------------------------------------

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, self._fitted):
            thing = type(self).__name__
            raise NotFittedError(
                f"{method} of {thing} must come after fit; got an unfitted {thing}. Call "
                f"fit(...) first, or {thing}.load(path)."
            )

    def _save_params(self, path: Path) -> None:
        """config.json: the version stamp and the parameters."""
        write_json(path / "config.json", {"seqlab_version": __version__, **self.get_params()})

    @classmethod
    def _upgrade(cls, config: dict[str, Any]) -> dict[str, Any]:
        """The saved parameters of an older version as this one names them (here: as saved)."""
        return config

    @classmethod
    def _load_params(cls, path: str | Path, **given: Any) -> Self:
        """An unfitted estimator from the config.json of a folder written by ``save``;
        ``given`` parameters (the device) replace the saved ones."""
        path = Path(path)
        thing = cls.__name__
        held = sorted(p.parent.name for p in path.glob("*/config.json"))  # a run's models
        if held:
            raise CheckpointError(
                f"path of {thing}.load must be a model folder, not a run folder; got "
                f"{str(path)!r}. Pass {str(path / held[0])!r}; this run holds: "
                f"{', '.join(held)}.",
                param="path",
            )
        if not (path / "config.json").is_file():
            what = (
                "has no config.json"
                if path.is_dir()
                else "is a file, not a folder"
                if path.exists()
                else "does not exist"
            )
            raise CheckpointError(
                f"path of {thing}.load must be a folder written by save(); got {str(path)!r}, "
                f"which {what}. Check the folder.",
                param="path",
            )
        config = read_json(path / "config.json")
        config.pop("seqlab_version", None)
        config = cls._upgrade(config)
        if "precision" in cls._param_names():  # saved before it was a parameter: trained in fp32
            config.setdefault("precision", "fp32")
        unknown = set(config) - set(cls._param_names())
        if unknown:
            raise CheckpointError(
                f"config.json of the saved model at {str(path)!r} must hold {thing} "
                f"parameters; got unknown {sorted(unknown)}. Save it again with this version.",
                param="path",
            )
        return cls(**{**config, **given})
