"""Minibatch training on tensors that already sit on the device; the one trainer every task
uses.

A batch is an index gather from the data's own tensors (``Batches.batch(index)``), not a
DataLoader walking Python items: with the windows as views, an epoch costs the forward and
backward passes and nothing else. AdamW, gradient clipping, a cosine learning-rate schedule,
early stopping on the validation loss with the best weights restored, seeded shuffling, and a
per-epoch log. Losses are summed on the device and the checks read once per step on the CPU
but only every :data:`CHECK_EVERY` steps on a GPU, so a GPU is never made to wait per batch.

Data that is read in order with a state carried along (a language model's token streams,
truncated backpropagation through time) defines ``stream(batch_size, generator)`` instead,
yielding ``(inputs, targets, reset)``: the model is called ``model(*inputs, state)`` and
returns ``(output, state)``; the state is cut from the graph between chunks and reset on the
rows that ``reset`` marks.

Beyond one process and one uninterrupted run (each written once, here):

- **torchrun**: under a process group (:mod:`seqlab.train.distributed`) the model is wrapped
  in ``DistributedDataParallel``; each rank takes its share of every batch of the one seeded
  permutation, and its loss is weighted by its share of the batch's units (rows, or tokens
  for a token-mean loss: a model's ``loss_units(target)`` says), so the averaged gradient is
  that of the whole batch. Validation results are rank 0's, so that all stop together.
- **checkpoints**: ``fit(..., checkpoint=path)`` writes the whole state atomically after
  every epoch (:mod:`seqlab.train.checkpoint`); ``resume=path`` goes on from it, to the same
  weights and history as a run never stopped.
- **SIGTERM / Ctrl-C**: the step under way finishes, the checkpoint is written (mid-epoch,
  for batches; at the last epoch's end, for streams) and
  :class:`~seqlab.errors.TrainingInterrupted` says how to resume.
- **numerics**: a NaN or inf loss or gradient stops training with
  :class:`~seqlab.errors.NumericsError`, naming the epoch and batch, after restoring the best
  weights so far (else those before the bad step).
- **bf16**: ``precision="bf16"`` runs forward passes and losses under ``torch.autocast``;
  ``"auto"`` does where the device has bf16 natively (:mod:`seqlab.train.precision`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from seqlab.data.batches import IGNORE
from seqlab.errors import NumericsError, TrainingInterrupted
from seqlab.train import checkpoint as ckpt
from seqlab.train import distributed as dist
from seqlab.train.base import (
    Batches,
    Hooks,
    Loss,
    Streams,
    TrainConfig,
    TrainResult,
    call,
    resolve_device,
)
from seqlab.train.guard import Interrupts, first_nonfinite
from seqlab.train.precision import cpu_threads, resolve_precision
from seqlab.train.state import RunState, cut_rows, epoch_line, index_dtype, progress_bar

__all__ = [
    "Batches",
    "Hooks",
    "Streams",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "resolve_device",
]

CHECK_EVERY = 32  # steps between the GPU's reads of the stop and NaN flags
NO_HOOKS = Hooks()


SLANT_CUT, SLANT_RATIO = 0.1, 32  # the slanted triangle's peak (share of steps), lowest rate


def learning_rate(cfg: TrainConfig, steps: int) -> Callable[[int], float]:
    """The factor of ``cfg.lr`` at each step of ``steps``: a linear warm-up over
    ``cfg.warmup`` steps, then a cosine from 1 to ``cfg.min_lr`` (constant 1 with
    ``schedule="constant"``), held at its end past ``steps``. ``schedule="slanted"``:
    ULMFiT's slanted triangle [Howard & Ruder 2018] instead, from 1/32 up to 1 over the first
    tenth of the steps and linearly back down to 1/32 at the last.

    Example:
        >>> f = learning_rate(TrainConfig(warmup=10, min_lr=0.1), 110)
        >>> [round(f(s), 3) for s in (0, 5, 10, 60, 110, 500)]
        [0.091, 0.545, 1.0, 0.55, 0.1, 0.1]
    """
    warmup, floor = cfg.warmup, cfg.min_lr
    cut = max(1, round(SLANT_CUT * steps))

    def factor(step: int) -> float:
        if cfg.schedule == "slanted":  # ULMFiT's: up over the first tenth, down to 1/32
            rise = step / cut if step < cut else max(0.0, 1 - (step - cut) / max(steps - cut, 1))
            return (1 + rise * (SLANT_RATIO - 1)) / SLANT_RATIO
        if step < warmup:
            return (step + 1) / (warmup + 1)
        if cfg.schedule == "constant":
            return 1.0
        done = min(1.0, (step - warmup) / max(steps - warmup, 1))
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * done))

    return factor


class Trainer:
    """Fit any ``nn.Module`` on any :class:`Batches` with a loss ``loss(output, target)``.

    Example:
        >>> result = Trainer(TrainConfig(epochs=5)).fit(model, train, val)  # doctest: +SKIP
        >>> result.history[-1]["val_loss"]                                  # doctest: +SKIP
    """

    def __init__(self, config: TrainConfig, loss: Loss = nn.functional.mse_loss) -> None:
        self.config = config
        self.loss = loss
        self._precision: str | None = None  # config.precision as resolved by fit

    def fit(
        self,
        model: nn.Module,
        train: Batches | Streams,
        val: Batches | Streams | None = None,
        *,
        description: str = "training",
        hooks: Hooks = NO_HOOKS,
        checkpoint: str | Path | None = None,
        resume: str | Path | None = None,
    ) -> TrainResult:
        """Train ``model`` on ``train``, keeping the weights of the best ``val`` loss.
        ``description`` names the run in the progress bar and the log; ``hooks`` adds a
        task's note, validation score and report to every epoch (see :class:`Hooks`).
        ``checkpoint``: a file to write the training state to after every epoch (and on
        SIGTERM or Ctrl-C); ``resume``: a checkpoint to go on from (written to thereafter,
        unless ``checkpoint`` names another file)."""
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
            torch.optim.lr_scheduler.LambdaLR(optimizer, learning_rate(cfg, steps))
            if cfg.schedule != "constant" or cfg.warmup
            else None
        )
        run = RunState()
        device = next(model.parameters()).device
        self._precision = resolve_precision(cfg.precision, device)
        where_to = checkpoint if checkpoint is not None else resume
        path = None if where_to is None else Path(where_to)
        prints = {} if path is None else ckpt.fingerprint(self._settings(), model, train, val)
        if resume is not None:
            progress, run.best, run.total = ckpt.read(
                resume,
                prints=prints,
                model=model,
                optimizer=optimizer,
                scheduler=scheduler,
                shuffle=shuffle,
            )
            run.restore(progress)
        run.result.precision, run.result.threads = self._precision, cfg.threads
        net = dist.wrap(model)
        self._model = model
        self._optimizer = optimizer
        self._scheduler = scheduler
        self._shuffle = shuffle
        self._path = path
        self._prints = prints
        self._train = train
        start = time.perf_counter()
        with progress_bar(cfg.verbose and dist.is_main()) as bar, Interrupts() as stop:
            task = bar.add_task(description, total=cfg.epochs, completed=run.epoch, info="")
            while run.epoch < cfg.epochs and not run.result.stopped_early:
                epoch, t0 = run.epoch + 1, time.perf_counter()
                if run.step == 0:
                    run.lr = optimizer.param_groups[0]["lr"]
                run.order_state = shuffle.get_state()  # after a resume, as the epoch began
                unfreeze = getattr(model, "unfreeze", None)  # gradual unfreezing, if any
                if callable(unfreeze):
                    unfreeze(epoch)
                model.train()
                with cpu_threads(cfg.threads):
                    if isinstance(train, Streams):
                        self._stream_epoch(net, train, run, stop, epoch)
                    else:
                        self._epoch(net, train, run, stop, epoch)
                train_loss = self._mean(run)
                self._validate(
                    model, val, hooks.score, run, epoch, train_loss, time.perf_counter() - t0
                )
                shown = epoch_line(run.result.history[-1])
                bar.update(task, advance=1, info=shown)
                note = "" if hooks.note is None else f"  {hooks.note(model)}"
                if cfg.verbose and dist.is_main() and (note or not bar.console.is_terminal):
                    bar.console.print(
                        f"{description} epoch {epoch}/{cfg.epochs} {shown} "
                        f"({run.result.history[-1]['seconds']:.0f} s){note}",
                        markup=False,
                        highlight=False,
                    )
                self._save(run)
                if hooks.report is not None:
                    row = run.result.history[-1]
                    hooks.report(epoch, row.get("val_score", row["val_loss"]))
        if run.best is not None:
            model.load_state_dict(run.best)
        run.result.seconds = time.perf_counter() - start
        return run.result

    def _settings(self) -> dict[str, Any]:
        """What a checkpoint must agree on: the training settings (not verbosity) and loss."""
        settings = {k: v for k, v in vars(self.config).items() if k != "verbose"}
        for name in ("stop_below", "threads"):  # as checkpoints were written before they existed
            if settings[name] is None:
                del settings[name]
        return settings | {"loss": getattr(self.loss, "__qualname__", type(self.loss).__name__)}

    def _save(self, run: RunState) -> None:
        """Write the checkpoint (rank 0 only), the batch order of the epoch under way kept
        as it was when the epoch began."""
        if self._path is None or not dist.is_main():
            return
        order = run.order_state if run.step and run.order_state is not None else None
        ckpt.write(
            self._path,
            model=self._model,
            optimizer=self._optimizer,
            scheduler=self._scheduler,
            shuffle_state=self._shuffle.get_state() if order is None else order,
            progress=run.progress(),
            best=run.best,
            total=run.total,
            prints=self._prints,
        )

    def _validate(
        self,
        model: nn.Module,
        val: Batches | Streams | None,
        score: Callable[[nn.Module], float] | None,
        run: RunState,
        epoch: int,
        train_loss: float,
        seconds: float,
    ) -> None:
        """Log the epoch, then keep the best weights or count towards early stopping; every
        rank follows rank 0's numbers."""
        val_loss = self.evaluate(model, val) if val is not None and len(val) else math.nan
        scored = math.nan if score is None else float(score(model))
        val_loss, scored = dist.broadcast([val_loss, scored])
        run.result.history.append(
            {
                "epoch": epoch,
                "train_loss": train_loss,
                "val_loss": val_loss,
                **({} if score is None else {"val_score": scored}),
                "lr": run.lr,
                "seconds": seconds,
            }
        )
        run.epoch, run.step, run.total = epoch, 0, None
        followed = scored if score is not None else val_loss  # what selection follows
        if val is None or not len(val):
            run.result.best_epoch = epoch
            return
        if not math.isfinite(followed):
            self._numerics(run, f"the validation loss became {followed} after epoch {epoch}")
        if followed < run.best_loss:
            run.best_loss, run.waited, run.result.best_epoch = followed, 0, epoch
            run.best = {k: v.detach().clone() for k, v in model.state_dict().items()}
            below = self.config.stop_below
            run.result.stopped_early = below is not None and followed < below
            return
        run.waited += 1
        if self.config.patience is not None and run.waited >= self.config.patience:
            run.result.stopped_early = True

    def _epoch(
        self, net: nn.Module, data: Batches, run: RunState, stop: Interrupts, epoch: int
    ) -> None:
        """One pass over ``data`` in the epoch's order, from step ``run.step`` on."""
        size = self.config.batch_size
        custom = getattr(data, "order", None)
        order = (
            custom(self._shuffle, size)
            if custom is not None
            else torch.randperm(len(data), generator=self._shuffle, dtype=index_dtype(len(data)))
        )
        count = -(-len(data) // size)
        for i in range(run.step, count):
            index = order[i * size : (i + 1) * size]
            mine = dist.share(index)
            weight = 1.0 if len(mine) else 0.0  # a rank without items joins with a dummy one
            inputs, target = data.batch(mine if len(mine) else index[:1])
            with self._autocast(target):
                loss = self.loss(call(net, inputs), target)
            self._step(net, loss, target, weight, run, stop, (epoch, i + 1, count))

    def _stream_epoch(
        self, net: nn.Module, data: Streams, run: RunState, stop: Interrupts, epoch: int
    ) -> None:
        """One pass over stateful streams (see the module docstring), each rank reading its
        share of the rows."""
        count = data.steps(self.config.batch_size)
        for i, (output, target) in enumerate(self._carried(net, data, self._shuffle, True)):
            where = (epoch, i + 1, max(count, i + 1))
            with self._autocast(target):  # the loss's head too: a bf16 output, fp32 weights
                loss = self.loss(output, target)
            self._step(net, loss, target, 1.0, run, stop, where)

    def _step(
        self,
        net: nn.Module,
        loss: Tensor,
        target: Tensor,
        weight: float,
        run: RunState,
        stop: Interrupts,
        where: tuple[int, int, int],
    ) -> None:
        """One optimizer step on ``loss``: weigh it by this rank's units, backward, clip,
        step, schedule; then act on a stop signal or a non-finite loss or gradient."""
        model, cfg = self._model, self.config
        units = self._units(model, target) * weight
        bad = ~torch.isfinite(loss.detach())
        asked = loss.new_tensor(float(stop.requested is not None))
        flags = torch.stack([units, bad.float(), asked])
        dist.all_sum(flags)  # one collective a step: units, NaNs and stops of every rank
        every = 1 if loss.device.type == "cpu" else CHECK_EVERY
        checks = where[1] % every == 0 or where[1] == where[2]
        self._guard(run, flags[1] > 0, "loss", loss.detach(), where, checks)
        scaled = loss if dist.world() == 1 else loss * units * dist.world() / flags[0]
        self._optimizer.zero_grad(set_to_none=True)
        scaled.backward()
        norm = (
            nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            if cfg.grad_clip is not None
            else nn.utils.get_total_norm([p.grad for p in model.parameters() if p.grad is not None])
        )
        self._guard(run, ~torch.isfinite(norm), "gradient", norm, where, checks)
        self._optimizer.step()
        if self._scheduler is not None:
            self._scheduler.step()
        # Summed on the device; read once per epoch, so the GPU never waits per batch.
        done = torch.stack([loss.detach().float() * units, units])
        run.total = done if run.total is None else run.total + done
        run.step = where[1]
        if checks and every > 1 and run.best is None:  # what a NaN found later falls back to
            run.good = {k: v.detach().clone() for k, v in model.state_dict().items()}
        if checks and flags[2] > 0:  # a stop was asked for, on some rank
            # Batches go on from this step; streams from the last epoch's end (their carried
            # state is not in the checkpoint).
            raise self._interrupted(stop, run, save=not isinstance(self._train, Streams))

    def _guard(
        self,
        run: RunState,
        bad: Tensor,
        what: str,
        value: Tensor,
        where: tuple[int, int, int],
        checks: bool,
    ) -> None:
        """Note on the device whether ``what`` (the loss, the gradient) is non-finite at
        this batch; at a check, stop at the first such batch since the last check."""
        seen = torch.zeros_like(bad, dtype=torch.long) if run.first_bad is None else run.first_bad
        run.first_bad = torch.where(bad & (seen == 0), where[1], seen)
        first = int(run.first_bad) if checks else 0
        if first:
            late = first != where[1]  # found at a later check: its value is gone
            shown = "loss or gradient went non-finite" if late else f"{what} became {float(value)}"
            self._numerics(run, f"the {shown} at epoch {where[0]}, batch {first} of {where[2]}")

    def _units(self, model: nn.Module, target: Tensor) -> Tensor:
        """What ``loss`` averages over, in ``target``: a model's ``loss_units(target)``, else
        the tokens that are not padding (integer targets) or the rows."""
        own = getattr(model, "loss_units", None)
        if own is not None:
            return own(target).float()
        if not target.is_floating_point():
            return (target != IGNORE).sum().float()
        return torch.tensor(float(len(target)), device=target.device)

    def _mean(self, run: RunState) -> float:
        """The epoch's training loss per unit, over every rank."""
        if run.total is None:
            return math.nan
        total = dist.all_sum(run.total.clone())
        return float(total[0] / total[1].clamp(min=1e-12))

    def _autocast(self, target: Tensor) -> Any:
        device = target.device.type if isinstance(target, Tensor) else "cpu"
        precision = self._precision or resolve_precision(  # evaluate may run without fit
            self.config.precision, torch.device(device)
        )
        return torch.autocast(device, torch.bfloat16, enabled=precision == "bf16")

    def _numerics(self, run: RunState, what: str) -> None:
        """Stop on a non-finite number: restore the best weights so far, else the last good
        ones, and say where it happened."""
        where = first_nonfinite(self._model) if self.config.verbose else ""
        if run.best is not None:
            self._model.load_state_dict(run.best)
            kept = f"the weights of epoch {run.result.best_epoch}, the best so far, are restored"
        elif run.good is not None:
            self._model.load_state_dict(run.good)
            kept = f"the weights of up to {CHECK_EVERY} steps before are restored"
        else:
            kept = "the weights before that step are kept"
        raise NumericsError(
            f"training stopped: {what}{f' ({where})' if where else ''}; {kept}. Lower lr, keep "
            "grad_clip on, or look for extreme values in the data."
        )

    def _interrupted(self, stop: Interrupts, run: RunState, save: bool) -> TrainingInterrupted:
        if save:
            self._save(run)
        at = f"step {run.step} of epoch {run.epoch + 1}" if save else f"epoch {run.epoch}"
        kept = (
            f"; its checkpoint {str(self._path)!r} resumes it from the end of {at}"
            if self._path is not None and (save or run.epoch)
            else "; it had no checkpoint to resume from"
        )
        return TrainingInterrupted(
            f"training stopped by {stop.requested}{kept}.", self._path, stop.requested or ""
        )

    def _carried(
        self, model: nn.Module, data: Streams, generator: torch.Generator | None, shard: bool
    ) -> Iterator[tuple[Tensor, Tensor]]:
        """(output, target) per chunk of ``data``'s streams, the state carried from chunk to
        chunk, cut from the graph and reset on the rows that begin a document; with
        ``shard``, on this rank's share of the rows."""
        state = None
        for inputs, target, reset in data.stream(self.config.batch_size, generator):
            if shard and dist.world() > 1:
                rows = dist.share(torch.arange(len(target)))
                inputs, target, reset = cut_rows((inputs, target, reset), len(target), rows)
            if state is not None:
                state = state.detach().reset(reset)
            with self._autocast(target):
                output, state = model(*inputs, state)
            yield output, target

    @torch.no_grad()
    def evaluate(self, model: nn.Module, data: Batches | Streams, batch_size: int = 1024) -> float:
        """Mean loss over every item of ``data`` (no item dropped), in eval mode."""
        model.eval()
        total, count = 0.0, 0.0
        if isinstance(data, Streams):
            for output, target in self._carried(model, data, None, False):
                n = float(self._units(model, target))
                with self._autocast(target):
                    loss = float(self.loss(output, target))
                total, count = total + loss * n, count + n
            return total / max(count, 1)
        for b in range(0, len(data), batch_size):
            inputs, target = data.batch(torch.arange(b, min(b + batch_size, len(data))))
            with self._autocast(target):
                loss = float(self.loss(call(model, inputs), target))
            n = float(self._units(model, target))
            total, count = total + loss * n, count + n
        return total / max(count, 1)
