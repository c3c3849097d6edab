"""The studies of ``seqlab explain`` on the building blocks: the cells against the fused
kernels, and the sinusoidal positions. Like :mod:`seqlab.explain.study`, each function writes
its PNGs, one HTML page and ``results.json`` into a folder and returns a
:class:`~seqlab.explain.page.Study`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.table import Table

from seqlab.explain import figures
from seqlab.explain.page import Figure, Study, tables_text, write_page
from seqlab.io import write_json

__all__ = ["parity_study", "positions_study"]


def parity_study(
    folder: Path, dtype: str = "float64", layers: int = 2, bidirectional: bool = True, seed: int = 0
) -> Study:
    """The equation-level cells against torch's fused kernels, every kind, one padded batch."""
    from seqlab.nn.parity import compare_backends

    table = Table(title=f"cells vs fused ({dtype}, {layers} layers, bidirectional={bidirectional})")
    for column in ("kind", "output", "state", "input grad", "weight grad"):
        table.add_column(column, justify="right")
    keys = {"output": "output", "state": "state", "input": "input grad", "weights": "weight grad"}
    found = {}
    for kind in ("rnn", "lstm", "gru"):
        diff = compare_backends(kind, layers, bidirectional, dtype, seed)
        found[kind] = {label: diff[k] for k, label in keys.items()}
        table.add_row(kind, *(f"{diff[k]:.1e}" for k in keys))
    png = figures.bar_plot(
        found,
        folder / "parity.png",
        f"|cells − fused|, {dtype}",
        "largest absolute difference (log scale)",
    )
    page = write_page(
        folder,
        "The cells from their equations against the fused kernels",
        f"A padded batch of five sequences of unequal lengths goes through both backends of "
        f"seqlab.nn.Recurrent ({layers} layers, bidirectional={bidirectional}) with the same "
        "weights: the equation-level cells step by step, and torch's fused kernel.",
        [
            Figure(
                "The largest differences",
                png,
                "Each bar is the largest absolute difference between the two backends in "
                "the outputs, the final states, and the gradients of the input and the "
                f"weights. At the rounding error of {dtype}, they say the equations in "
                "seqlab.nn.cells are the ones the kernels compute.",
            ),
        ],
        tables_text([table]),
    )
    write_json(folder / "results.json", {"dtype": dtype, "differences": found})
    return Study(page, [table], {"differences": found})


def positions_study(folder: Path, length: int = 100, d_model: int = 64) -> Study:
    """The sinusoidal encoding of ``length`` positions and the dot products between them."""
    from seqlab.errors import ConfigError
    from seqlab.explain.inside import position_similarity

    if length < 4 or d_model < 2:
        raise ConfigError(
            f"length and d_model of the positions must be at least 4 and 2; got {length} and "
            f"{d_model}. Pass larger ones.",
            param=("length", "d_model"),
        )
    pe, dots = position_similarity(length, d_model)
    distance = np.arange(length)
    from_zero = dots[0]
    table = Table(title=f"PE(p)·PE(p + Δ), d_model = {d_model}")
    for column in ("Δ", "from p = 0", f"from p = {length // 2}", "Σ cos(ω_i Δ)"):
        table.add_column(column, justify="right")
    omega = 1.0 / 10000 ** (np.arange(0, d_model, 2) / d_model)
    for delta in sorted({0, 1, 2, 5, 10, 20, 50, length // 2 - 1}):
        if delta < length // 2:
            table.add_row(
                str(delta),
                f"{from_zero[delta]:.3f}",
                f"{dots[length // 2, length // 2 + delta]:.3f}",
                f"{np.cos(omega * delta).sum():.3f}",
            )
    pe_png = figures.heat_maps(
        [("PE(p, i)", pe)],
        folder / "encoding.png",
        "dimension i",
        "position p",
        vmin=-1,
        vmax=1,
        cmap="RdBu",
    )
    dot_png = figures.heat_maps(
        [("PE(p)·PE(q)", dots)],
        folder / "dot_products.png",
        "position q",
        "position p",
        vmin=None,
        vmax=None,
    )
    line_png = figures.line_plot(
        {"PE(0)·PE(Δ)": (distance, from_zero)},
        folder / "by_distance.png",
        "Dot product against distance",
        "distance Δ",
        "PE(0)·PE(Δ)",
        log=False,
    )
    page = write_page(
        folder,
        "Sinusoidal positions",
        f"PE(p, 2i) = sin(p / 10000^(2i/d)), PE(p, 2i+1) = cos(p / 10000^(2i/d)), for {length} "
        f"positions and d = {d_model} (Vaswani et al. 2017, section 3.5).",
        [
            Figure(
                "The encoding",
                pe_png,
                "Each row is a position, each column a dimension. The first dimensions turn "
                "fast (a period of 2π steps), the last ones slowly (up to 10000·2π), so "
                "every position gets a distinct pattern.",
            ),
            Figure(
                "Dot products between positions",
                dot_png,
                "PE(p)·PE(q) = Σ_i cos(ω_i (p − q)): it depends on the distance alone, "
                "which is why the bands run parallel to the diagonal. Attention's dot "
                "products can therefore tell how far apart two steps are, not only where "
                "each one is.",
            ),
            Figure(
                "Against distance",
                line_png,
                "The dot product is d/2 at distance 0 and falls, not monotonically, as the "
                "distance grows: nearby positions look alike to attention's dot products. "
                "It never comes back to d/2, so no two positions share an encoding.",
            ),
        ],
        tables_text([table]),
    )
    write_json(
        folder / "results.json",
        {"length": length, "d_model": d_model, "dot_by_distance": from_zero.tolist()},
    )
    return Study(page, [table], {"encoding": pe, "dots": dots})
