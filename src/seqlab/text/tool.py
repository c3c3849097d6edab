"""What every ready-made text tool shares: its task model, the bundled weights, save and load."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from seqlab.errors import CheckpointError
from seqlab.tasks import SequenceClassifier, SequenceTagger

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Tool", "bundled_or_saved", "weights_path"]


def weights_path(task: str) -> Path:
    """The folder of the bundled weights of ``task`` (segment, pos, sentiment)."""
    return Path(str(resources.files("seqlab.text").joinpath("weights", task)))


def bundled_or_saved(task: str, path: str | Path | None, what: str, train: str) -> Path:
    """The folder ``path``, else the bundled weights of ``task``, which must hold a
    config.json (else one sentence: ``what`` is missing, ``train`` makes it again)."""
    folder = Path(path) if path is not None else weights_path(task)
    if path is None and not (folder / "config.json").is_file():
        raise CheckpointError(
            f"the bundled {what} must be in {str(folder)!r}; got no config.json there. "
            f"Reinstall seqlab, or train one with {train}."
        )
    return folder


class Tool:
    """A task model (``model``) trained for one job, with bundled weights."""

    _task: ClassVar[str] = ""  # the folder of the bundled weights
    _model: ClassVar[type[SequenceTagger] | type[SequenceClassifier]]

    def __init__(self, model: Any) -> None:
        self.model = model

    @classmethod
    def pretrained(cls, device: str = "cpu", precision: str = "auto") -> Self:
        """The bundled model (trained by ``benchmarks/train_text_models.py``). ``precision``:
        the arithmetic of prediction, "auto" (bf16 where the device has it natively),
        "fp32" or "bf16" (see :func:`seqlab.train.precision.resolve_inference`)."""
        tool = cls.load(weights_path(cls._task), device)
        tool._predict_in(precision)
        return tool

    def _predict_in(self, precision: str) -> None:
        """Predict in ``precision`` from now on (a pipeline's tools all)."""
        self.model.precision = precision

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> Self:
        """A tool saved by :meth:`save` (or ``seqlab text train``)."""
        return cls(cls._model.load(path, device))

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        """Write the tool to the folder ``path`` (see the task's ``save``); return it."""
        return self.model.save(path, precision)
