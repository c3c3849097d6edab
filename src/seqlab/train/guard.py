"""What stops a training run on purpose: a signal to stop (SIGTERM, Ctrl-C) and a loss that
is no longer a number.

:class:`Interrupts` turns SIGTERM and SIGINT into a flag that the trainer reads between
steps: the step under way finishes, the checkpoint is written, and
:class:`~seqlab.errors.TrainingInterrupted` says how to resume. A second signal is not caught
(the user means it). :func:`first_nonfinite` names the parameter (or gradient) a NaN reached
first, for the numerics error's verbose form.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any

import torch
from torch import nn

__all__ = ["Interrupts", "first_nonfinite"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """A context in which SIGTERM and SIGINT set :attr:`requested` instead of killing the
    process (in the main thread only; elsewhere signals keep their handlers)."""

    def __init__(self) -> None:
        self.requested: str | None = None
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in _SIGNALS:
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = signal.Signals(signum).name
        for sig, handler in self._saved.items():  # a second signal acts at once
            signal.signal(sig, handler)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        self._saved.clear()


def first_nonfinite(model: nn.Module) -> str:
    """Where a NaN or inf sits in ``model``: its first such parameter, else its first such
    gradient, else a note that both are finite (so the batch's inputs or targets are not)."""
    named = list(model.named_parameters())
    for name, p in named:
        if not bool(torch.isfinite(p).all()):
            return f"the first non-finite parameter is {name}"
    for name, p in named:
        if p.grad is not None and not bool(torch.isfinite(p.grad).all()):
            return f"the first non-finite gradient is of {name}"
    return "every parameter and gradient is finite, so the batch's inputs or targets are not"
