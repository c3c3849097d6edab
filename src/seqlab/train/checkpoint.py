"""The trainer's checkpoint: one safetensors file that a run continues from as if it had
never stopped.

Its tensors are the model's weights (``model.*``), the best weights so far (``best.*``), the
optimizer's state (``optim.<param>.<name>``), the RNG states (``rng.torch``, ``rng.shuffle``
for the batch order at the start of the epoch to come, ``rng.numpy``, ``rng.cuda.<i>``) and
the running loss of an epoch stopped part-way (``run.total``). Everything else sits as JSON
in the file's metadata: the epoch and the step within it, the history, the early-stopping
state, the scheduler, the optimizer's hyper-parameters, Python's RNG, and a fingerprint of
the settings, the model and the data, so that a checkpoint is never applied to another run.
The file is written atomically (:func:`seqlab.io.atomic_write`): a kill at any moment leaves
the previous checkpoint or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as st_save
from torch import Tensor, nn

from seqlab.errors import CheckpointError
from seqlab.io import atomic_write

__all__ = ["fingerprint", "read", "write"]

FORMAT = 1


def fingerprint(settings: dict[str, Any], model: nn.Module, *data: Any) -> dict[str, str]:
    """Short hashes of the training ``settings``, the ``model``'s weights' names and shapes,
    and the ``data`` (its tensors' values, its sizes and settings)."""
    shapes = [(k, list(v.shape), str(v.dtype)) for k, v in model.state_dict().items()]
    digest = hashlib.sha256()
    for d in data:
        _feed(digest, d, set(), 0)
    return {
        "settings": _sha(json.dumps(settings, sort_keys=True, default=str)),
        "model": _sha(json.dumps([type(model).__name__, shapes])),
        "data": digest.hexdigest()[:16],
    }


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _feed(digest: Any, obj: Any, seen: set[int], depth: int) -> None:
    """Hash what ``obj`` holds: tensors by their values (a window view by the series under
    it, not by the overlapping windows), plain values by their repr, objects by their
    fields, to a few levels down."""
    if isinstance(obj, Tensor):
        base = obj if obj._base is None else obj._base
        digest.update(repr((obj.shape, obj.stride(), obj.storage_offset(), obj.dtype)).encode())
        if id(base) not in seen:
            seen.add(id(base))
            digest.update(base.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy())
    elif obj is None or isinstance(obj, str | int | float | bool):
        digest.update(repr(obj).encode())
    elif isinstance(obj, np.ndarray):
        digest.update(np.ascontiguousarray(obj).tobytes())
    elif depth > 4 or id(obj) in seen:
        digest.update(type(obj).__name__.encode())
    elif isinstance(obj, dict):
        seen.add(id(obj))
        for key in sorted(obj, key=repr):
            digest.update(repr(key).encode())
            _feed(digest, obj[key], seen, depth + 1)
    elif isinstance(obj, list | tuple):
        seen.add(id(obj))
        for item in obj:
            _feed(digest, item, seen, depth + 1)
    else:
        seen.add(id(obj))
        names = (
            [f.name for f in fields(obj)]
            if is_dataclass(obj)
            else sorted(vars(obj))
            if hasattr(obj, "__dict__")
            else []
        )
        digest.update(type(obj).__name__.encode())
        for name in names:
            _feed(digest, getattr(obj, name), seen, depth + 1)


def write(
    path: str | Path,
    *,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    shuffle_state: Tensor,
    progress: dict[str, Any],
    best: dict[str, Tensor] | None,
    total: Tensor | None,
    prints: dict[str, str],
) -> None:
    """Write the whole training state to ``path`` atomically (see the module docstring).
    ``shuffle_state``: the batch-order generator's state when the epoch to resume began;
    ``progress``: the trainer's JSON-able state (epoch, step, history, early stopping)."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors |= {f"best.{k}": v for k, v in (best or {}).items()}
    optim = optimizer.state_dict()
    for index, values in optim["state"].items():
        tensors |= {f"optim.{index}.{k}": v for k, v in values.items() if isinstance(v, Tensor)}
    tensors["rng.torch"] = torch.get_rng_state()
    tensors["rng.shuffle"] = shuffle_state
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    tensors["rng.numpy"] = torch.from_numpy(np.asarray(keys, dtype=np.int64))
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda.{i}"] = state
    if total is not None:
        tensors["run.total"] = total
    meta = {
        "format": FORMAT,
        "fingerprint": prints,
        "progress": progress,
        "has_best": best is not None,
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "optimizer": {
            "param_groups": optim["param_groups"],
            "state": {
                str(i): {k: v for k, v in s.items() if not isinstance(v, Tensor)}
                for i, s in optim["state"].items()
            },
        },
        "rng": {"python": random.getstate(), "numpy": [kind, int(pos), has_gauss, gauss]},
    }
    owned = {k: v.detach().cpu().clone().contiguous() for k, v in tensors.items()}
    atomic_write(path, st_save(owned, metadata={"seqlab": json.dumps(meta, default=float)}))


def read(
    path: str | Path,
    *,
    prints: dict[str, str],
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    shuffle: torch.Generator,
) -> tuple[dict[str, Any], dict[str, Tensor] | None, Tensor | None]:
    """Restore what :func:`write` saved into ``model``, ``optimizer``, ``scheduler``,
    ``shuffle`` and the global RNGs; return the progress, the best weights and the running
    loss. A checkpoint written for other settings, another model or other data is refused."""
    path = Path(path)
    tensors, meta = _open(path)
    theirs = meta.get("fingerprint", {})
    for part, what in (("data", "data"), ("settings", "settings"), ("model", "model")):
        if theirs.get(part) != prints[part]:
            raise CheckpointError(
                f"resume of the trainer must name a checkpoint of this run; got {str(path)!r}, "
                f"written for other {what} (fingerprint {theirs.get(part)} ≠ {prints[part]}). "
                "Resume with the data and settings it was written for, or start afresh.",
                param="resume",
            )
    device = next(iter(model.state_dict().values())).device
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    best = (
        {k[5:]: v.to(device) for k, v in tensors.items() if k.startswith("best.")}
        if meta["has_best"]
        else None
    )
    state: dict[int, dict[str, Any]] = {}
    for i, extra in meta["optimizer"]["state"].items():
        state[int(i)] = dict(extra)
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, i, name = key.split(".", 2)
            state.setdefault(int(i), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["optimizer"]["param_groups"]})
    if scheduler is not None:
        scheduler.load_state_dict(meta["scheduler"])
    torch.set_rng_state(tensors["rng.torch"])
    shuffle.set_state(tensors["rng.shuffle"])
    kind, pos, has_gauss, gauss = meta["rng"]["numpy"]
    keys = tensors["rng.numpy"].numpy().astype(np.uint32)
    np.random.set_state((kind, keys, pos, has_gauss, gauss))
    version, internal, extra = meta["rng"]["python"]
    random.setstate((version, tuple(internal), extra))
    cuda = sorted(k for k in tensors if k.startswith("rng.cuda."))
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([tensors[k] for k in cuda])
    total = tensors.get("run.total")
    return meta["progress"], best, None if total is None else total.to(device)


def _open(path: Path) -> tuple[dict[str, Tensor], dict[str, Any]]:
    if not path.is_file():
        raise CheckpointError(
            f"resume of the trainer must name an existing checkpoint file; got {str(path)!r}. "
            "Point to the checkpoint.safetensors a run wrote, or start afresh.",
            param="resume",
        )
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = json.loads((f.metadata() or {})["seqlab"])
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (not a dict)
    except (SafetensorError, KeyError, ValueError, OSError) as err:
        raise CheckpointError(
            f"resume of the trainer must name a checkpoint written by seqlab; got {str(path)!r} "
            f"({type(err).__name__}). Start afresh: the file is not a training checkpoint.",
            param="resume",
        ) from None
    return tensors, meta
