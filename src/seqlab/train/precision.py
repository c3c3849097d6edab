"""Which arithmetic a training run uses: float32, or bfloat16 autocast where it pays.

Under ``torch.autocast(dtype=torch.bfloat16)`` the matrix products run in bfloat16 while the
weights, gradients and the optimizer stay float32 (mixed precision). GPUs with bf16 units
(Ampere and later) and CPUs with bf16 dot products (AVX512_BF16: AMD Zen 4 and later, Intel
Cooper Lake; AMX: Sapphire Rapids and later) run it about twice as fast as float32; on other
CPUs it is emulated and slower. ``"auto"`` picks bf16 where the device has it natively and,
on a CPU, only for the models measured faster under it at no cost in accuracy
(:data:`CPU_BF16`, from benchmarks/precision_speed.py): the language models (hidden 256)
train twice as fast in bf16 there, while most forecasters at hidden 64 run slower (their
products are small, and autocast casts each). For some small networks the measurement also
fixes the training threads: one thread runs their many small bf16 products faster than two,
whose hand-overs cost more than the second core gives (:func:`resolve_threads`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import TypedDict

import torch

__all__ = [
    "CPU_BF16",
    "PRECISIONS",
    "arithmetic",
    "bf16_native",
    "cpu_has_bf16",
    "cpu_threads",
    "resolve_inference",
    "resolve_precision",
    "resolve_threads",
]

PRECISIONS = ("auto", "fp32", "bf16")

# The models that train faster under bf16 autocast than in fp32 on a CPU with native bf16,
# with an error within 2 % of fp32's, and the CPU threads of their training passes (None:
# PyTorch's, one per core; 1 where a single thread ran the small bf16 steps faster than two):
# the "pick" column of benchmarks/results/precision_speed.json (a test keeps the two equal).
# Names: the zoo's, "lm-<model>" for language models, "s2s-<model>" for encoder–decoders.
CPU_BF16: dict[str, int | None] = {"lstm": 1, "tcn": None, "lm-lstm": None, "lm-transformer": None}


@functools.cache
def cpu_has_bf16() -> bool:
    """Does this CPU compute bfloat16 dot products natively (AVX512_BF16 or AMX)? Asked of
    the PyTorch build's own CPU probe once, else of /proc/cpuinfo's flags (Linux)."""
    probes = [
        getattr(torch.cpu, name, None)
        for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    ]
    found = [bool(probe()) for probe in probes if callable(probe)]
    if found:
        return any(found)
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def bf16_native(device: torch.device) -> bool:
    """Does ``device`` run bfloat16 matrix products natively?"""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    return device.type == "cpu" and cpu_has_bf16()


def resolve_precision(precision: str, device: torch.device, model: str | None = None) -> str:
    """``precision`` as a run uses it: "fp32" or "bf16"; "auto" is bf16 where ``device``
    has it natively and, on a CPU, ``model`` is one of :data:`CPU_BF16` (any model when
    None); fp32 elsewhere.

    Example:
        >>> resolve_precision("fp32", torch.device("cpu"))
        'fp32'
    """
    if precision != "auto":
        return precision
    if not bf16_native(device):
        return "fp32"
    cpu_slower = device.type == "cpu" and model is not None and model not in CPU_BF16
    return "fp32" if cpu_slower else "bf16"


def resolve_inference(precision: str, device: torch.device) -> str:
    """The arithmetic of prediction under ``precision``: "fp32" or "bf16" as forced; "auto"
    is bf16 (a bfloat16 copy of the weights) where ``device`` has it natively. Unlike
    training, prediction pays no cast per product, so it gains even for small networks: the
    bundled segmenter runs its BiLSTM twice as fast, at the same F1 to 0.01 (docs/text.md).

    Example:
        >>> resolve_inference("fp32", torch.device("cpu"))
        'fp32'
    """
    if precision != "auto":
        return precision
    return "bf16" if bf16_native(device) else "fp32"


def resolve_threads(precision: str, device: torch.device, model: str) -> int | None:
    """The CPU threads of ``model``'s training passes under ``precision``: where "auto"
    resolves to bf16 on a CPU, the count measured best for it (:data:`CPU_BF16`); else None,
    PyTorch's own.

    Example:
        >>> resolve_threads("fp32", torch.device("cpu"), "lstm") is None
        True
    """
    if precision != "auto" or device.type != "cpu":
        return None
    if resolve_precision(precision, device, model) != "bf16":
        return None
    return CPU_BF16.get(model)


class Arithmetic(TypedDict):
    """What a task passes to its TrainConfig: the resolved precision and training threads."""

    precision: str
    threads: int | None


def arithmetic(precision: str, device: torch.device, model: str) -> Arithmetic:
    """The resolved ``precision`` and the training ``threads`` of ``model`` on ``device``."""
    return Arithmetic(
        precision=resolve_precision(precision, device, model),
        threads=resolve_threads(precision, device, model),
    )


@contextlib.contextmanager
def cpu_threads(threads: int | None) -> Iterator[None]:
    """Run the block on ``threads`` CPU threads (None: as they are), then restore them."""
    if threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
