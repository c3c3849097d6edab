"""The model studies of ``seqlab explain``: gates and attention on real input. Like
:mod:`seqlab.explain.study`, each function writes PNGs and one HTML page into a folder and
returns a :class:`~seqlab.explain.page.Study`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.table import Table

from seqlab.explain import figures
from seqlab.explain.inside import GATE_NAMES, attention_weights, recurrent_gates
from seqlab.explain.page import Figure, Study, tables_text, write_page
from seqlab.io import write_json

__all__ = ["attention_study", "gates_study", "window_plot"]


def window_plot(fc: Any, df: pd.DataFrame, path: Path) -> Path:
    """The target over the window the model reads (the last ``lookback`` rows of ``df``)."""
    window = df[fc.targets_[0]].iloc[-fc.lookback :]
    steps = np.arange(len(window))
    return figures.line_plot(
        {fc.targets_[0]: (steps, window.to_numpy())},
        path,
        f"The window: {window.index[0].date()} .. {window.index[-1].date()}",
        "step of the window",
        fc.targets_[0],
        log=False,
    )


def gates_study(folder: Path, fc: Any, df: pd.DataFrame, source: str) -> Study:
    """The gates of ``fc`` (an lstm or gru forecaster) over the last window of ``df``."""
    layers = recurrent_gates(fc, df)
    names = GATE_NAMES[fc.model]
    # One row per gate, one column per layer.
    maps = [
        (f"layer {i + 1}: {names[g]}", gates[g]) for g in names for i, gates in enumerate(layers)
    ]
    png = figures.heat_maps(
        maps, folder / "gates.png", "step of the window", "unit", columns=len(layers)
    )
    window_png = window_plot(fc, df, folder / "window.png")
    table = Table(title=f"{fc.model} gates over the window ({source}): mean and share open")
    for column in ("layer", "gate", "mean", "share > 0.5", "mean, last 10 steps"):
        table.add_column(column, justify="right")
    for i, gates in enumerate(layers):
        for g in names:
            v = gates[g]
            table.add_row(
                str(i + 1),
                names[g],
                f"{v.mean():.3f}",
                f"{(v > 0.5).mean():.1%}",
                f"{v[:, -10:].mean():.3f}",
            )
    if fc.model == "lstm":
        words = (
            "The forget gate f decides how much of the cell c_{t-1} is kept "
            "(c_t = f ⊙ c_{t-1} + i ⊙ g), so units with f near 1 carry their memory "
            "across the window. The input gate i lets the new candidate g in, and the "
            "output gate o decides how much of the cell the state h_t shows."
        )
    else:
        words = (
            "The update gate z keeps the old state (h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}), "
            "so units with z near 1 hold their value across the window. The reset gate r "
            "decides how much of the old state enters the candidate n."
        )
    page = write_page(
        folder,
        f"The gates of the {fc.model} forecaster",
        f"The {fc.model} forecaster ({source}) reads its last window of {fc.lookback} steps "
        f"of {', '.join(fc.columns_)} and forecasts the next {fc.horizon}. The gates are "
        "computed by the equation-level cells on the forecaster's own weights and its own "
        "scaled input.",
        [
            Figure(
                "The window",
                window_png,
                "The target over the window the model reads, in the data's units. The "
                "gates below are computed at each of these steps.",
            ),
            Figure(
                "The gates",
                png,
                f"One row per hidden unit, one column per step; 0 (dark) is shut, 1 "
                f"(bright) open. {words}",
            ),
        ],
        tables_text([table]),
    )
    write_json(
        folder / "results.json",
        {
            "model": fc.model,
            "source": source,
            "layers": [{names[g]: float(v.mean()) for g, v in gates.items()} for gates in layers],
        },
    )
    return Study(page, [table], {"gates": layers})


def attention_study(
    folder: Path,
    fc: Any | None,
    df: pd.DataFrame | None,
    source: str,
    translated: Any | None,
    sentence: str = "",
) -> Study:
    """The self-attention of Transformer forecaster ``fc`` over the last window of ``df``
    (read from ``source``, per layer and head) and, when given, the translator's attention
    for one ``sentence`` (``translated``: a :class:`~seqlab.tasks.seq2seq.model.Decoded`
    with its attention). results.json records what each part read: the forecaster's
    ``source`` and entropies, the translator's ``sentence`` and translation."""
    from seqlab.report.plots import attention_map

    shown: list[Figure] = []
    table = Table(title="The forecaster's last query: where the forecast looks")
    for column in (
        "layer",
        "head",
        "weight on the last 10 steps",
        "mean distance back",
        "entropy (nats)",
    ):
        table.add_column(column, justify="right")
    values: dict[str, Any] = {}
    entropies: list[list[float]] = []  # per layer and head, of the last query's weights
    if fc is not None and df is not None:
        layers = attention_weights(fc, df)
        values["forecaster"] = layers
        maps = [
            (f"layer {i + 1}, head {a + 1}", w[a])
            for i, w in enumerate(layers)
            for a in range(w.shape[0])
        ]
        png = figures.heat_maps(
            maps,
            folder / "forecaster.png",
            "key step",
            "query step",
            vmin=0.0,
            vmax=None,
            cmap="Blues",
            columns=layers[0].shape[0],
        )
        for i, w in enumerate(layers):
            entropies.append([])
            for a in range(w.shape[0]):
                last = w[a, -1]  # the last query: the one the forecaster's head reads
                back = (last * np.arange(len(last))[::-1]).sum()
                entropy = float(-(last * np.log(np.clip(last, 1e-12, None))).sum())
                entropies[-1].append(entropy)
                table.add_row(
                    str(i + 1),
                    str(a + 1),
                    f"{last[-10:].sum():.1%}",
                    f"{back:.1f}",
                    f"{entropy:.2f}",
                )
        table.caption = (
            f"uniform attention over the {fc.lookback} steps: 10 steps "
            f"{10 / fc.lookback:.1%}, entropy ln {fc.lookback} = "
            f"{np.log(fc.lookback):.2f}"
        )
        shown += [
            Figure(
                "The window",
                window_plot(fc, df, folder / "window.png"),
                f"The target over the {fc.lookback} steps the forecaster ({source}) reads. "
                "The maps below are computed on exactly this input.",
            ),
            Figure(
                "Self-attention of the Transformer forecaster",
                png,
                "One map per layer (rows) and head (columns): row = the step asking, "
                "column = the step it reads, darker = more weight; each row sums to 1. The "
                "forecaster's head reads the last row's output, so the last row of the "
                "last layer is where the forecast looks. Each map has its own colour "
                "scale: weights near 1/L everywhere (see the table's entropy against "
                "ln L) mean a head averages the window rather than picking steps.",
            ),
        ]
    if translated is not None and translated.attention is not None:
        path = attention_map(
            translated.source,
            translated.tokens,
            translated.attention,
            folder / "translator.png",
            translated.text,
        )
        values["translator"] = translated.attention
        shown.append(
            Figure(
                "The translator: source × output",
                path,
                "One row per output token (the end token last), one column per source token, "
                "darker where the decoder looked while it wrote that token (for the Transformer, "
                "the last layer's cross-attention averaged over heads). A near-diagonal path is "
                "a word-by-word alignment; jumps are reorderings between the two languages.",
            )
        )
    page = write_page(
        folder,
        "Attention weights",
        "softmax(Q Kᵀ / √d_k) for every head and layer, recomputed with return_weights=True "
        "on the model's own weights and input.",
        shown,
        tables_text([table]),
    )
    summary: dict[str, Any] = {}
    if "forecaster" in values:
        summary |= {"source": source, "entropy": entropies}
    if translated is not None and "translator" in values:
        summary |= {"sentence": sentence, "translation": translated.text}
    write_json(folder / "results.json", summary)
    return Study(page, [table], values)
