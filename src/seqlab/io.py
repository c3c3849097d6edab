"""Safe, durable files: every write goes to a temporary file first and is renamed into place,
so an interrupted run never leaves a half-written checkpoint; nothing is ever unpickled."""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from seqlab.errors import CheckpointError, check, one_of

__all__ = [
    "PRECISIONS",
    "atomic_write",
    "read_json",
    "read_lines_gz",
    "read_tensors",
    "read_weights",
    "write_json",
    "write_lines_gz",
    "write_tensors",
    "write_weights",
]

PRECISIONS = ("float32", "float16", "int8")
SCALE = ".int8_scale"  # suffix of the per-row scales of an int8 tensor
SCALE4 = ".int4_scale"  # and of a 4-bit one (two values to a byte)


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a saved file should read as usual
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: str | Path, obj: Any, compact: bool = False) -> None:
    """UTF-8 JSON, indented for reading, or ``compact`` (one line: vocabularies); gzipped
    when the name ends in ".gz" (with mtime 0: the same object, the same bytes)."""
    text = json.dumps(obj, indent=None if compact else 2, ensure_ascii=False, default=str)
    data = (text + "\n").encode()
    atomic_write(path, gzip.compress(data, mtime=0) if str(path).endswith(".gz") else data)


def write_tensors(
    path: str | Path,
    tensors: dict[str, torch.Tensor],
    precision: str = "float32",
    four_bit: Collection[str] = (),
) -> None:
    """Save tensors as safetensors (contiguous CPU copies; shared storage is not allowed).

    ``precision`` of the floating-point tensors: float32 (as they are), float16 (half the
    size) or int8 (about a quarter: each row of a matrix is rounded to 255 levels spanning
    its largest magnitude, its scale kept in float16 as "<name>.int8_scale"; vectors go
    float16). With int8, the 2-D matrices named in ``four_bit`` (with an even number of
    columns) go in 4 bits, an eighth: each row rounded to 15 levels, two to a byte, its
    scale as "<name>.int4_scale"; fit for embedding tables, whose rows are looked up one at
    a time. :func:`read_tensors` turns int8 and 4-bit rows back into float32.
    """
    check("write_tensors", {"precision": one_of(*PRECISIONS)}, {"precision": precision})
    out: dict[str, torch.Tensor] = {}
    for name, value in tensors.items():
        v = value.detach().cpu()
        if v.is_floating_point() and precision != "float32":
            if precision == "int8" and name in four_bit and v.dim() == 2 and v.shape[1] % 2 == 0:
                scale, q = _rows(v, 7)
                nibbles = (q + 8).to(torch.uint8)  # 1 … 15
                out[name + SCALE4], v = scale, nibbles[:, 0::2] << 4 | nibbles[:, 1::2]
            elif precision == "int8" and v.dim() > 1:
                scale, q = _rows(v, 127)
                out[name + SCALE], v = scale, q.to(torch.int8).view(v.shape)
            else:
                v = v.half()
        out[name] = v.contiguous()
    atomic_write(path, st_save(out))


def _rows(v: torch.Tensor, levels: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Each row of ``v`` as whole numbers in [-levels, levels] times its float16 scale."""
    rows = v.float().reshape(v.shape[0], -1)
    top = rows.abs().amax(1)
    scale = torch.where(top > 0, top / levels, torch.ones_like(top)).half()
    return scale, (rows / scale.float()[:, None]).round().clamp(-levels, levels)


def _read(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise CheckpointError(
            f"{path.name} of the saved model at {str(path.parent)!r} must exist; got no such "
            f"file. Point to a folder written by save(), holding {what}.",
            param="path",
        )
    return path.read_bytes()


def read_json(path: str | Path) -> Any:
    """The object of a file written by :func:`write_json` (gzipped when named ".gz")."""
    path = Path(path)
    try:
        data = _read(path, "its JSON files")
        return json.loads(gzip.decompress(data) if path.name.endswith(".gz") else data)
    except (json.JSONDecodeError, UnicodeDecodeError, gzip.BadGzipFile, EOFError) as err:
        raise CheckpointError(
            f"{path.name} of the saved model at {str(path.parent)!r} must be valid JSON; got a "
            f"corrupted file ({err}). Save the model again.",
            param="path",
        ) from None


def read_tensors(path: str | Path) -> dict[str, torch.Tensor]:
    """The tensors of a file written by :func:`write_tensors`, int8 and 4-bit ones back in
    float32."""
    path = Path(path)
    try:
        tensors = st_load(_read(path, "its weights"))
    except (SafetensorError, ValueError) as err:
        raise CheckpointError(
            f"{path.name} of the saved model at {str(path.parent)!r} must be a valid safetensors "
            f"file; got a corrupted file ({err}). Save the model again.",
            param="path",
        ) from None
    for name in [k for k in tensors if k.endswith(SCALE)]:
        scale, base = tensors.pop(name).float(), name.removesuffix(SCALE)
        q = tensors[base]
        tensors[base] = (q.float().reshape(q.shape[0], -1) * scale[:, None]).view(q.shape)
    for name in [k for k in tensors if k.endswith(SCALE4)]:
        scale, base = tensors.pop(name).float(), name.removesuffix(SCALE4)
        packed = tensors[base]
        q = torch.stack([packed >> 4, packed & 15], dim=2).flatten(1).float() - 8
        tensors[base] = q * scale[:, None]
    return tensors


def write_weights(
    folder: Path,
    tensors: dict[str, torch.Tensor],
    precision: str = "float32",
    lookups: Collection[str] = (),
) -> None:
    """Write ``tensors`` to ``folder``/model.safetensors in a model's save ``precision``:
    float32, float16, int8, or int4 — the tables named in ``lookups`` (embeddings that are
    only looked up) in 4 bits, the other matrices in int8 (see :func:`write_tensors`)."""
    check("write_weights", {"precision": one_of(*PRECISIONS, "int4")}, {"precision": precision})
    four_bit = lookups if precision == "int4" else ()
    int8 = "int8" if precision == "int4" else precision
    write_tensors(folder / "model.safetensors", tensors, int8, four_bit=four_bit)


def read_weights(model: torch.nn.Module, folder: Path, tied: Collection[str] = ()) -> None:
    """Load ``folder``/model.safetensors into ``model``; only the ``tied`` weights (stored
    once, under the matrix they share) may be absent from the file."""
    missing, _ = model.load_state_dict(read_tensors(folder / "model.safetensors"), strict=False)
    if set(missing) - set(tied):
        raise CheckpointError(
            f"model.safetensors of {str(folder)!r} must hold every weight of its config; got "
            f"none for {missing[:3]}. Save the model again."
        )


def read_lines_gz(path: str | Path) -> list[str]:
    """The lines of a gzipped UTF-8 text (none when the file is missing)."""
    path = Path(path)
    return gzip.decompress(path.read_bytes()).decode().splitlines() if path.exists() else []


def write_lines_gz(path: str | Path, lines: Iterable[str]) -> None:
    """Gzipped with mtime 0, written atomically: the same lines, the same bytes."""
    atomic_write(path, gzip.compress("".join(f"{x}\n" for x in lines).encode(), mtime=0))
