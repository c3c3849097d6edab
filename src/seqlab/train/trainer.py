"""Minibatch training on tensors that already sit on the device.

A batch is an index gather from the data's own tensors (``Batches.batch(index)``), not a
DataLoader walking Python items: with the windows as views, an epoch costs the forward and
backward passes and nothing else. AdamW, gradient clipping, a cosine learning-rate schedule,
early stopping on the validation loss with the best weights restored, seeded shuffling, and a
per-epoch log.

Data that is read in order with a state carried along (a language model's token streams,
truncated backpropagation through time) defines ``stream(batch_size, generator)`` instead,
yielding ``(inputs, targets, reset)``: the model is called ``model(*inputs, state)`` and
returns ``(output, state)``; the state is cut from the graph between chunks and reset on the
rows that ``reset`` marks.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from torch import Tensor, nn

from seqlab.data.batches import IGNORE
from seqlab.errors import Rule, check, one_of, positive_int

__all__ = ["Batches", "Streams", "TrainConfig", "TrainResult", "Trainer", "resolve_device"]

Loss = Callable[[Tensor, Tensor], Tensor]


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
    """``"auto"`` is CUDA when present, else CPU; anything else is passed to torch."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


_RULES = {
    "epochs": Rule("a non-negative integer", lambda v: isinstance(v, int) and v >= 0),
    "batch_size": positive_int(),
    "lr": Rule("a positive number", lambda v: isinstance(v, int | float) and v > 0),
    "weight_decay": Rule("a non-negative number", lambda v: isinstance(v, int | float) and v >= 0),
    "grad_clip": Rule("None or a positive number", lambda v: v is None or v > 0),
    "schedule": one_of("cosine", "constant"),
    "patience": Rule("None or a positive integer", lambda v: v is None or v > 0),
}


@dataclass(frozen=True)
class TrainConfig:
    """How to train; validated on construction, saved as JSON with the run."""

    epochs: int = 30
    batch_size: int = 32
    lr: float = 1e-3
    weight_decay: float = 1e-4
    grad_clip: float | None = 1.0
    schedule: str = "cosine"
    patience: int | None = 5
    seed: int = 0
    verbose: bool = False

    def __post_init__(self) -> None:
        check("TrainConfig", _RULES, asdict(self))


@dataclass
class TrainResult:
    """The per-epoch log (epoch, train_loss, val_loss, lr, seconds) and a summary."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0
    stopped_early: bool = False


def _call(model: nn.Module, inputs: Any) -> Tensor:
    return model(*inputs) if isinstance(inputs, tuple) else model(inputs)


class Trainer:
    """Fit any ``nn.Module`` on any :class:`Batches` with a loss ``loss(output, target)``.

    Example:
        >>> result = Trainer(TrainConfig(epochs=5)).fit(model, train, val)  # doctest: +SKIP
        >>> result.history[-1]["val_loss"]                                  # doctest: +SKIP
    """

    def __init__(self, config: TrainConfig, loss: Loss = nn.functional.mse_loss) -> None:
        self.config = config
        self.loss = loss

    def fit(
        self,
        model: nn.Module,
        train: Batches | Streams,
        val: Batches | Streams | None = None,
        description: str = "training",
        on_epoch: Callable[[nn.Module], str] | None = None,
        score: Callable[[nn.Module], float] | None = None,
    ) -> TrainResult:
        """Train ``model`` on ``train``, keeping the weights of the best ``val`` loss.
        ``on_epoch(model)``, when given, returns a note (a generated sample, say) printed on
        the epoch's line. ``score(model)``, when given, is a validation score (lower is
        better: an error rate, a negated BLEU) that early stopping and the kept weights
        follow instead of the validation loss; it is logged as ``val_score``."""
        cfg = self.config
        torch.manual_seed(cfg.seed)  # dropout masks
        shuffle = torch.Generator().manual_seed(cfg.seed)  # batch order, on the CPU
        per_epoch = (
            train.steps(cfg.batch_size)
            if isinstance(train, Streams)
            else -(-len(train) // cfg.batch_size)
        )
        steps = max(1, per_epoch) * max(cfg.epochs, 1)
        groups = getattr(model, "parameter_groups", None)  # discriminative learning rates
        params = groups(cfg.lr) if callable(groups) else model.parameters()
        optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
        scheduler = (
            torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
            if cfg.schedule == "cosine"
            else None
        )
        result = TrainResult()
        best_loss, best_state, waited = float("inf"), None, 0
        start = time.perf_counter()
        with _progress(cfg.verbose) as progress:
            task = progress.add_task(description, total=cfg.epochs, info="")
            for epoch in range(1, cfg.epochs + 1):
                t0 = time.perf_counter()
                lr = optimizer.param_groups[0]["lr"]
                train_loss = self._epoch(model, train, optimizer, scheduler, shuffle)
                val_loss = self.evaluate(model, val) if val is not None and len(val) else None
                scored = None if score is None else float(score(model))
                seconds = time.perf_counter() - t0
                result.history.append(
                    {
                        "epoch": epoch,
                        "train_loss": train_loss,
                        "val_loss": float("nan") if val_loss is None else val_loss,
                        **({} if scored is None else {"val_score": scored}),
                        "lr": lr,
                        "seconds": seconds,
                    }
                )
                shown = (
                    f"train {train_loss:.4f}"
                    + ("" if val_loss is None else f"  val {val_loss:.4f}")
                    + ("" if scored is None else f"  score {scored:.4f}")
                )
                if scored is not None:
                    val_loss = scored  # what selection follows
                progress.update(task, advance=1, info=shown)
                note = "" if on_epoch is None else f"  {on_epoch(model)}"
                if cfg.verbose and (note or not progress.console.is_terminal):  # a line each
                    progress.console.print(
                        f"{description} epoch {epoch}/{cfg.epochs} {shown} ({seconds:.0f} s){note}",
                        markup=False,
                        highlight=False,
                    )
                if val_loss is None:
                    result.best_epoch = epoch
                    continue
                if val_loss < best_loss:
                    best_loss, waited, result.best_epoch = val_loss, 0, epoch
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                else:
                    waited += 1
                    if cfg.patience is not None and waited >= cfg.patience:
                        result.stopped_early = True
                        break
        if best_state is not None:
            model.load_state_dict(best_state)
        result.seconds = time.perf_counter() - start
        return result

    def _epoch(
        self,
        model: nn.Module,
        data: Batches | Streams,
        optimizer: torch.optim.Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None,
        shuffle: torch.Generator,
    ) -> float:
        model.train()
        if isinstance(data, Streams):
            return self._stream_epoch(model, data, optimizer, scheduler, shuffle)
        custom = getattr(data, "order", None)
        order = (
            custom(shuffle, self.config.batch_size)
            if custom is not None
            else torch.randperm(len(data), generator=shuffle, dtype=_index_dtype(len(data)))
        )
        total, count = None, 0
        for b in range(0, len(data), self.config.batch_size):
            inputs, target = data.batch(order[b : b + self.config.batch_size])
            loss = self.loss(_call(model, inputs), target)
            self._step(model, loss, optimizer, scheduler)
            n = len(target)
            # Summed on the device; one .item() per epoch keeps the GPU from syncing per batch.
            total = loss.detach() * n if total is None else total + loss.detach() * n
            count += n
        return float(total / count) if total is not None else float("nan")

    def _step(
        self,
        model: nn.Module,
        loss: Tensor,
        optimizer: torch.optim.Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None,
    ) -> None:
        """One optimizer step on ``loss``: backward, clip, step, schedule."""
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.config.grad_clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), self.config.grad_clip)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()

    @staticmethod
    def _carried(
        model: nn.Module, data: Streams, batch_size: int, generator: torch.Generator | None = None
    ) -> Iterator[tuple[Tensor, Tensor]]:
        """(output, target) per chunk of ``data``'s streams, the state carried from chunk to
        chunk, cut from the graph and reset on the rows that begin a document."""
        state = None
        for inputs, target, reset in data.stream(batch_size, generator):
            if state is not None:
                state = state.detach().reset(reset)
            output, state = model(*inputs, state)
            yield output, target

    def _stream_epoch(
        self,
        model: nn.Module,
        data: Streams,
        optimizer: torch.optim.Optimizer,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None,
        shuffle: torch.Generator,
    ) -> float:
        """One pass over stateful streams (see the module docstring); mean loss per target."""
        total, count = None, None
        for output, target in self._carried(model, data, self.config.batch_size, shuffle):
            loss = self.loss(output, target)
            self._step(model, loss, optimizer, scheduler)
            n = (target != IGNORE).sum()
            # Summed on the device, as in _epoch: no GPU sync per chunk.
            total = loss.detach() * n if total is None else total + loss.detach() * n
            count = n if count is None else count + n
        return float(total / count) if total is not None and count else float("nan")

    @torch.no_grad()
    def _stream_loss(self, model: nn.Module, data: Streams, batch_size: int) -> float:
        total, count = 0.0, 0
        for output, target in self._carried(model, data, batch_size):
            n = int((target != IGNORE).sum())
            total += float(self.loss(output, target)) * n
            count += n
        return total / max(count, 1)

    @torch.no_grad()
    def evaluate(self, model: nn.Module, data: Batches | Streams, batch_size: int = 1024) -> float:
        """Mean loss over every item of ``data`` (no item dropped), in eval mode."""
        model.eval()
        if isinstance(data, Streams):
            return self._stream_loss(model, data, min(batch_size, self.config.batch_size))
        total, count = 0.0, 0
        for b in range(0, len(data), batch_size):
            inputs, target = data.batch(torch.arange(b, min(b + batch_size, len(data))))
            total += float(self.loss(_call(model, inputs), target)) * len(target)
            count += len(target)
        return total / max(count, 1)


def _index_dtype(n: int) -> torch.dtype:
    """int32 for an epoch's order when it fits: half the memory of a shuffle of millions."""
    return torch.int32 if n < 2**31 else torch.long


def _progress(verbose: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("epoch {task.completed}/{task.total}"),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        disable=not verbose,
        transient=False,
    )
