"""What the training commands share beyond one uninterrupted process: reading a run back
for ``--resume``, and the message that says how to resume after SIGTERM or Ctrl-C."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seqlab.config import RunConfig, load_config
from seqlab.errors import ConfigError, TrainingInterrupted

__all__ = ["resume_hint", "resumed"]


def resumed(folder: Path) -> RunConfig:
    """The config of the run in ``folder``, for ``--resume``."""
    if not (folder / "config.json").is_file():
        raise ConfigError(
            f"resume of seqlab forecast must be a run folder holding config.json; got "
            f"{str(folder)!r}. Pass the --out folder of the run to go on with.",
            param="resume",
        )
    return load_config(folder / "config.json")


@contextmanager
def resume_hint(folder: Path) -> Iterator[None]:
    """Add the command that resumes the run in ``folder`` to a stop by signal."""
    try:
        yield
    except TrainingInterrupted as err:
        raise TrainingInterrupted(
            f"{err} Resume with: seqlab forecast --resume {folder}", err.checkpoint, err.signal
        ) from None
