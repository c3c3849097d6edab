"""What the trainer takes and gives: the data protocols (:class:`Batches`, :class:`Streams`),
the settings (:class:`TrainConfig`), what a task adds to each epoch (:class:`Hooks`) and the
log (:class:`TrainResult`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from seqlab.errors import Rule, check, one_of, positive_int
from seqlab.train.precision import PRECISIONS

__all__ = [
    "Batches",
    "Hooks",
    "Loss",
    "Streams",
    "TrainConfig",
    "TrainResult",
    "call",
    "resolve_device",
]

Loss = Callable[[Tensor, Tensor], Tensor]


@dataclass(frozen=True)
class Hooks:
    """What a task adds to every epoch, each optional and called once per epoch.

    ``note(model)``: a note (a generated sample, say) printed on the epoch's line.
    ``score(model)``: a validation score (lower is better: an error rate, a negated BLEU)
    that early stopping and the kept weights follow instead of the validation loss; logged
    as ``val_score``. ``report(epoch, value)``: told the epoch's validation loss (or score);
    may raise to stop training (a tuner's pruning).
    """

    note: Callable[[nn.Module], str] | None = None
    score: Callable[[nn.Module], float] | None = None
    report: Callable[[int, float], None] | None = None


class Batches(Protocol):
    """What the trainer iterates: a length and a gather of (inputs, targets) by index.

    An epoch visits the items in a random order; data that wants a say in it (text batches
    grouped by length, to pad less) may also define ``order(generator, batch_size) -> Tensor``,
    a permutation of ``range(len(data))``.
    """

    def __len__(self) -> int: ...

    def batch(self, index: Tensor) -> tuple[Any, Tensor]: ...


@runtime_checkable
class Streams(Protocol):
    """Data read in order with a state carried along (see the module docstring): ``stream``
    yields ``(inputs, targets, reset)``; ``steps`` says how many chunks a pass holds, at most;
    ``len`` counts the targets."""

    def __len__(self) -> int: ...

    def steps(self, batch_size: int) -> int: ...

    def stream(
        self, batch_size: int, generator: torch.Generator | None = None
    ) -> Iterator[tuple[Any, Tensor, Tensor]]: ...


def resolve_device(device: str) -> torch.device:
    """``"auto"`` is CUDA when present (under torchrun, the GPU of this process's
    ``LOCAL_RANK``), else CPU; anything else is passed to torch."""
    if device == "auto":
        if not torch.cuda.is_available():
            return torch.device("cpu")
        local = os.environ.get("LOCAL_RANK")
        return torch.device("cuda") if local is None else torch.device("cuda", int(local))
    return torch.device(device)


_RULES = {
    "epochs": Rule("a non-negative integer", lambda v: isinstance(v, int) and v >= 0),
    "batch_size": positive_int(),
    "lr": Rule("a positive number", lambda v: isinstance(v, int | float) and v > 0),
    "weight_decay": Rule("a non-negative number", lambda v: isinstance(v, int | float) and v >= 0),
    "grad_clip": Rule("None or a positive number", lambda v: v is None or v > 0),
    "schedule": one_of("cosine", "constant", "slanted"),
    "warmup": Rule("a non-negative integer", lambda v: isinstance(v, int) and v >= 0),
    "min_lr": Rule("a fraction in [0, 1]", lambda v: isinstance(v, int | float) and 0 <= v <= 1),
    "patience": Rule("None or a positive integer", lambda v: v is None or v > 0),
    "precision": one_of(*PRECISIONS),
    "threads": Rule("None or an int >= 1", lambda v: v is None or (isinstance(v, int) and v >= 1)),
    "stop_below": Rule("None or a number", lambda v: v is None or isinstance(v, int | float)),
}


def transformer_warmup(steps: int) -> int:
    """The warm-up a Transformer gets by default over ``steps`` training steps: a twentieth
    of them, at most 200 (the Adam second-moment estimates settle in the first few hundred
    steps; post-norm Transformers diverge without it, pre-norm ones train better with it).

    Example:
        >>> transformer_warmup(1000), transformer_warmup(10_000)
        (50, 200)
    """
    return min(200, steps // 20)


@dataclass(frozen=True)
class TrainConfig:
    """How to train; validated on construction, saved as JSON with the run."""

    epochs: int = 30
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-4
    grad_clip: float | None = 1.0
    schedule: str = "cosine"
    # steps of linear warm-up from 0 to lr, then the cosine falls to min_lr × lr (and stays
    # there should a pass hold more steps than counted); "constant" keeps lr after warm-up;
    # "slanted": ULMFiT's slanted triangle (seqlab.train.trainer.learning_rate)
    warmup: int = 0
    min_lr: float = 0.0
    patience: int | None = 5
    seed: int = 0
    verbose: bool = False
    # "bf16": forward passes and losses under torch.autocast in bfloat16 (weights, gradients
    # and the optimizer stay float32); fast on GPUs with bf16 units and on CPUs with bf16
    # dot products, slow elsewhere. "auto": bf16 exactly where the device has it natively
    # (seqlab.train.precision); TrainResult.precision says what was used.
    precision: str = "fp32"
    # The CPU threads of the training passes (None: PyTorch's, one per core); validation and
    # prediction keep PyTorch's. One thread runs a small recurrent network's bf16 steps faster
    # than two on this project's machine (seqlab.train.precision.CPU_BF16).
    threads: int | None = None
    # Stop once the validation loss (or score) falls below this: a task with a known bar
    # (the long-memory benchmark's "solved") need not spend the rest of its budget.
    stop_below: float | None = None

    def __post_init__(self) -> None:
        check("TrainConfig", _RULES, asdict(self))


@dataclass
class TrainResult:
    """The per-epoch log (epoch, train_loss, val_loss, lr, seconds) and a summary."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0
    stopped_early: bool = False
    precision: str = "fp32"  # the arithmetic used: "fp32" or "bf16" ("auto" resolved)
    threads: int | None = None  # the training passes' CPU threads (None: PyTorch's)


def call(model: nn.Module, inputs: Any) -> Tensor:
    """``model`` on one batch's inputs: a tuple is spread over its arguments."""
    return model(*inputs) if isinstance(inputs, tuple) else model(inputs)
