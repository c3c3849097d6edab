"""The long-memory benchmark: the adding problem and copy memory, the way Bai, Kolter and
Koltun run them [1], on the zoo's backbones in their per-step shape
(:class:`~seqlab.models.steps.StepModel`).

Every model trains under one budget (:data:`BUDGET`): the same generated training set,
steps, batch size, optimiser, learning rate and clipping; the validation set picks the
epoch whose weights are kept; the test set, generated from another seed, is scored once at
the end. A length counts as solved when the test loss is below :func:`threshold`: an MSE of
0.01 for adding (6 % of the trivial 1/6), 10 % of the trivial loss for copy memory.

.. [1] Bai, Kolter & Koltun (2018). An Empirical Evaluation of Generic Convolutional and
       Recurrent Networks for Sequence Modeling. arXiv:1803.01271. Table 1.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import Tensor, nn

from seqlab.data.synthetic import (
    ADDING_TRIVIAL_MSE,
    COPY_CLASSES,
    adding_problem,
    copy_memory,
    copy_trivial_loss,
)
from seqlab.errors import check, one_of
from seqlab.models.steps import STEP_KINDS, StepModel
from seqlab.train import TrainConfig, Trainer

__all__ = [
    "BUDGET",
    "LENGTHS",
    "PUBLISHED",
    "TASKS",
    "Budget",
    "build_memory_model",
    "longest_solved",
    "memory_data",
    "memory_loss",
    "run_grid",
    "run_memory",
    "threshold",
    "train_memory",
    "trivial_loss",
]

TASKS = ("adding", "copy")
LENGTHS = (50, 100, 200, 400, 800)  # 800: run for the models that solve 400

# Table 1 of [1]: adding at T = 600 (test MSE), copy memory at T = 1000 (test cross-entropy
# per step). Quoted from secondary sources; the paper itself could not be read here.
PUBLISHED: dict[str, dict[str, Any]] = {
    "adding": {"length": 600, "tcn": 5.8e-5, "lstm": 0.164, "gru": 5.3e-5, "rnn": 0.177},
    "copy": {"length": 1000, "tcn": 3.5e-5, "lstm": 0.0204, "gru": 0.0197, "rnn": 0.0202},
}


@dataclass(frozen=True)
class Budget:
    """What every model of the benchmark gets: at most ``epochs · train / batch_size``
    steps, fewer when the validation loss falls below half the task's threshold first."""

    train: int = 3200
    val: int = 500
    test: int = 1000
    epochs: int = 30
    batch_size: int = 32
    lr: float = 2e-3
    grad_clip: float | None = 1.0
    recurrent_hidden: int = 64  # rnn, lstm, gru: one layer
    transformer_hidden: int = 32  # d_model; two layers of four heads
    tcn_hidden: int = 32  # channels; kernel 7, as deep as the length needs

    @property
    def steps(self) -> int:
        return self.epochs * -(-self.train // self.batch_size)


BUDGET = Budget()


def trivial_loss(task: str, length: int) -> float:
    """The loss of the model that remembers nothing (see :mod:`seqlab.data.synthetic`)."""
    return ADDING_TRIVIAL_MSE if task == "adding" else copy_trivial_loss(length)


def threshold(task: str, length: int) -> float:
    """The test loss below which ``task`` counts as solved at ``length``."""
    return 0.01 if task == "adding" else 0.1 * copy_trivial_loss(length)


class _Pairs:
    """Inputs and targets already in tensors; a batch is an index gather."""

    def __init__(self, x: Tensor, y: Tensor) -> None:
        self.x = x
        self.y = y

    def __len__(self) -> int:
        return len(self.x)

    def batch(self, index: Tensor) -> tuple[Tensor, Tensor]:
        return self.x[index], self.y[index]


def memory_data(task: str, n: int, length: int, seed: int) -> tuple[Tensor, Tensor]:
    """``n`` sequences of ``task`` as model inputs: adding (N, T, 2) and its (N, 1) sums;
    copy memory one-hot (N, T + 20, 10) and its (N, T + 20) digits."""
    check("memory_data", {"task": one_of(*TASKS)}, {"task": task})
    if task == "adding":
        return adding_problem(n, length, seed)
    x, y = copy_memory(n, length, seed)
    return nn.functional.one_hot(x, COPY_CLASSES).float(), y


def memory_loss(task: str) -> Callable[[Tensor, Tensor], Tensor]:
    """The loss of ``task`` on a StepModel's output (N, L, C_out): the MSE of the last
    step's answer (adding), the mean cross-entropy over every step (copy)."""

    def adding(output: Tensor, target: Tensor) -> Tensor:
        return nn.functional.mse_loss(output[:, -1], target)

    def copy(output: Tensor, target: Tensor) -> Tensor:
        return nn.functional.cross_entropy(output.transpose(1, 2), target)

    return adding if task == "adding" else copy


def build_memory_model(task: str, kind: str, length: int, budget: Budget = BUDGET) -> StepModel:
    """The benchmark's ``kind`` for ``task`` at ``length``, sized by ``budget``."""
    check("build_memory_model", {"kind": one_of(*STEP_KINDS)}, {"kind": kind})
    inputs, outputs = (2, 1) if task == "adding" else (COPY_CLASSES, COPY_CLASSES)
    steps = length if task == "adding" else length + 20
    if kind == "transformer":
        return StepModel(kind, inputs, outputs, budget.transformer_hidden, num_layers=2)
    if kind == "tcn":
        return StepModel(kind, inputs, outputs, budget.tcn_hidden, kernel_size=7, length=steps)
    return StepModel(kind, inputs, outputs, budget.recurrent_hidden)


def train_memory(
    task: str,
    kind: str,
    length: int,
    budget: Budget = BUDGET,
    seed: int = 0,
    verbose: bool = False,
) -> tuple[StepModel, Any, Any]:
    """Train ``kind`` on ``task`` at ``length`` under ``budget``: the model (with the weights
    of its best validation epoch), the trainer's log and the test set, unseen so far."""
    check(
        "train_memory",
        {"task": one_of(*TASKS), "kind": one_of(*STEP_KINDS)},
        {"task": task, "kind": kind},
    )
    # Three seeds apart: the test set shares no sequence with the training or validation set.
    train = _Pairs(*memory_data(task, budget.train, length, seed=3 * seed))
    val = _Pairs(*memory_data(task, budget.val, length, seed=3 * seed + 1))
    test = _Pairs(*memory_data(task, budget.test, length, seed=3 * seed + 2))
    torch.manual_seed(seed)
    model = build_memory_model(task, kind, length, budget)
    config = TrainConfig(
        epochs=budget.epochs,
        batch_size=budget.batch_size,
        lr=budget.lr,
        weight_decay=0.0,
        grad_clip=budget.grad_clip,
        patience=None,
        seed=seed,
        verbose=verbose,
        # Stopped at half the bar on validation, so that a test set scored once has margin.
        stop_below=threshold(task, length) / 2,
    )
    result = Trainer(config, loss=memory_loss(task)).fit(
        model, train, val, description=f"{task} T={length} {kind}"
    )
    return model, result, test


def run_memory(
    task: str,
    kind: str,
    length: int,
    budget: Budget = BUDGET,
    seed: int = 0,
    verbose: bool = False,
) -> dict[str, Any]:
    """Train ``kind`` on ``task`` at ``length`` under ``budget``; score the test set once.

    Returns the test loss, the trivial loss and the threshold, whether it is solved, the
    per-epoch curve (train and validation loss), the seconds and the parameters.

    Example:
        >>> r = run_memory("adding", "gru", 50, Budget(train=64, epochs=1))
        >>> r["solved"], round(r["trivial"], 4)
        (False, 0.1667)
    """
    start = time.perf_counter()
    model, result, test = train_memory(task, kind, length, budget, seed, verbose)
    seconds = time.perf_counter() - start
    loss = Trainer(TrainConfig(), loss=memory_loss(task)).evaluate(model, test)
    return {
        "task": task,
        "model": kind,
        "length": length,
        "test_loss": loss,
        "trivial": trivial_loss(task, length),
        "threshold": threshold(task, length),
        "solved": loss < threshold(task, length),
        "best_epoch": result.best_epoch,
        "epochs": len(result.history),
        "curve": [
            {"epoch": r["epoch"], "train_loss": r["train_loss"], "val_loss": r["val_loss"]}
            for r in result.history
        ],
        "seconds": seconds,
        "params": sum(p.numel() for p in model.parameters()),
        "seed": seed,
        "budget": asdict(budget),
    }


def run_grid(
    tasks: Sequence[str] = TASKS,
    kinds: Sequence[str] = STEP_KINDS,
    lengths: Sequence[int] = LENGTHS,
    budget: Budget = BUDGET,
    seed: int = 0,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    verbose: bool = False,
    known: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """Every task × model × length, shortest first. A model that fails a task at one
    length is not run at the longer ones (recorded with ``"skipped": true``): the longest
    length solved is what the benchmark reports, and the rule keeps the grid affordable.
    ``on_result`` is told each result as it comes (to write partial results). ``known``:
    results of an earlier grid under the same budget and seed, taken as they are instead of
    being run again (a grid extended to longer lengths runs only those)."""
    done = {(r["task"], r["model"], r["length"]): r for r in known if not r.get("skipped")}
    results: list[dict[str, Any]] = []
    for task in tasks:
        for kind in kinds:
            failed = False
            for length in sorted(lengths):
                r: dict[str, Any]
                if (task, kind, length) in done and not failed:
                    r = done[task, kind, length]
                    failed = not r["solved"]
                elif failed:
                    r = {
                        "task": task,
                        "model": kind,
                        "length": length,
                        "skipped": True,
                        "solved": False,
                    }
                else:
                    r = run_memory(task, kind, length, budget, seed, verbose) | {"skipped": False}
                    failed = not r["solved"]
                results.append(r)
                if on_result is not None:
                    on_result(r)
    return results


def longest_solved(results: Sequence[dict[str, Any]], task: str, kind: str) -> int | None:
    """The longest length at which ``kind`` solved ``task`` in ``results``, or None."""
    solved = [
        r["length"] for r in results if r["task"] == task and r["model"] == kind and r["solved"]
    ]
    return max(solved, default=None)
