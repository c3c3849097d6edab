"""Which arithmetic a training run uses: float32, or bfloat16 autocast where it pays.

Under ``torch.autocast(dtype=torch.bfloat16)`` the matrix products run in bfloat16 while the
weights, gradients and the optimizer stay float32 (mixed precision). GPUs with bf16 units
(Ampere and later) and CPUs with bf16 dot products (AVX512_BF16: AMD Zen 4 and later, Intel
Cooper Lake; AMX: Sapphire Rapids and later) run it about twice as fast as float32; on other
CPUs it is emulated and slower. ``"auto"`` picks bf16 where the device has it natively and,
on a CPU, only for the models measured faster under it at no cost in accuracy
(:data:`CPU_BF16`, from benchmarks/precision_speed.py): the language models (hidden 256)
train twice as fast in bf16 there, while a forecaster at hidden 64 runs slower (its products
are small, and autocast casts each), TCN aside.
"""

from __future__ import annotations

import functools

import torch

__all__ = ["CPU_BF16", "PRECISIONS", "bf16_native", "cpu_has_bf16", "resolve_precision"]

PRECISIONS = ("auto", "fp32", "bf16")

# The models that train faster under bf16 autocast than in fp32 on a CPU with native bf16,
# with an error within 2 % of fp32's: the "pick" column of
# benchmarks/results/precision_speed.json (a test keeps the two equal). Names: the zoo's,
# "lm-<model>" for language models, "s2s-<model>" for encoder–decoders.
CPU_BF16: frozenset[str] = frozenset({"tcn", "lm-lstm", "lm-transformer"})


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
