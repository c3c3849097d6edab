"""The pictures of ``seqlab explain`` and ``seqlab bench memory``, drawn with matplotlib's
object API (no pyplot state, no display). Each function takes plain arrays and writes one PNG.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from seqlab.io import atomic_write

__all__ = [
    "COLORS",
    "bar_plot",
    "heat_maps",
    "line_plot",
    "memory_curves",
    "save",
]

_DPI = 110
COLORS = {
    "rnn": "#d93025",
    "lstm": "#1a73e8",
    "gru": "#188038",
    "transformer": "#9334e6",
    "tcn": "#e37400",
}


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` to ``path`` as PNG, atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    atomic_write(path, buffer.getvalue())
    return path


def line_plot(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    path: Path,
    title: str,
    xlabel: str,
    ylabel: str,
    log: bool = True,
    styles: Mapping[str, dict[str, Any]] | None = None,
) -> Path:
    """One axis of named (x, y) curves, y on a log scale by default."""
    fig = Figure(figsize=(8.0, 4.6))
    ax = fig.add_subplot()
    for name, (x, y) in curves.items():
        ax.plot(x, y, label=name, linewidth=1.3, **(styles or {}).get(name, {}))
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if len(curves) > 6:  # beside the axis, not over the lines
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.legend(fontsize=7)
    return save(fig, path)


def bar_plot(
    groups: Mapping[str, Mapping[str, float]], path: Path, title: str, ylabel: str
) -> Path:
    """Grouped bars on a log scale: one group per key of ``groups``, one bar per inner key."""
    fig = Figure(figsize=(8.0, 4.0))
    ax = fig.add_subplot()
    names = list(next(iter(groups.values())))
    width = 0.8 / len(names)
    for j, name in enumerate(names):
        values = [max(g[name], 1e-300) for g in groups.values()]  # an exact 0 drawn at the floor
        ax.bar(np.arange(len(groups)) + j * width, values, width, label=name)
    ax.set_xticks(np.arange(len(groups)) + 0.4 - width / 2, list(groups))
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return save(fig, path)


def heat_maps(
    maps: Sequence[tuple[str, np.ndarray]],
    path: Path,
    xlabel: str,
    ylabel: str,
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
    cmap: str = "viridis",
    columns: int = 1,
    extent: tuple[float, float, float, float] | None = None,
) -> Path:
    """Heat maps, one per (title, (rows, columns) array), stacked in ``columns`` columns."""
    rows = -(-len(maps) // columns)
    fig = Figure(figsize=(5.5 * columns, 2.4 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax, (title, values) in zip(axes.flat, maps, strict=False):
        image = ax.imshow(
            values,
            aspect="auto",
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            interpolation="nearest",
            extent=extent,
            origin="upper",
        )
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    for ax in list(axes.flat)[len(maps) :]:
        ax.set_visible(False)
    return save(fig, path)


def memory_curves(results: Sequence[dict[str, Any]], path: Path) -> Path:
    """The long-memory benchmark's validation loss per epoch: one panel per task and length,
    one line per model, the trivial loss and the threshold as dashed lines."""
    runs = [r for r in results if not r.get("skipped")]
    tasks = sorted({r["task"] for r in runs})
    lengths = sorted({r["length"] for r in runs})
    fig = Figure(
        figsize=(3.2 * max(len(lengths), 1), 2.8 * max(len(tasks), 1) + 0.4), layout="constrained"
    )
    axes = fig.subplots(max(len(tasks), 1), max(len(lengths), 1), squeeze=False)
    for i, task in enumerate(tasks):
        for j, length in enumerate(lengths):
            ax = axes[i, j]
            here = [r for r in runs if r["task"] == task and r["length"] == length]
            for r in here:
                epochs = [c["epoch"] for c in r["curve"]]
                loss = [c["val_loss"] for c in r["curve"]]
                ax.plot(epochs, loss, color=COLORS.get(r["model"]), label=r["model"])
            if here:
                ax.axhline(here[0]["trivial"], color="#5f6368", linestyle="--", linewidth=0.8)
                ax.axhline(here[0]["threshold"], color="#202124", linestyle=":", linewidth=0.8)
            ax.set_yscale("log")
            ax.set_title(f"{task}, T = {length}", fontsize=9)
            ax.set_xlabel("epoch", fontsize=8)
            ax.set_ylabel("validation loss", fontsize=8)
            ax.legend(fontsize=6)
    return save(fig, path)
