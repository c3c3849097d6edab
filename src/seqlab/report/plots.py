"""The run's plots, drawn with matplotlib's object API (no global pyplot state, no display).

Each function takes plain data (series, evaluations, histories) and writes one PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from seqlab.io import atomic_write
from seqlab.models import BASELINES

if TYPE_CHECKING:
    from seqlab.data.windows import Split
    from seqlab.tasks.forecasting.evaluation import Evaluation
    from seqlab.tasks.forecasting.experiment import RunResult

__all__ = [
    "attention_map",
    "error_by_step",
    "forecast_future",
    "forecast_test",
    "loss_curves",
    "write_all",
]

_PARTS = (("train", "#e8f0fe"), ("val", "#fef7e0"), ("test", "#fce8e6"))
_DPI = 110


def _save(fig: Figure, path: Path) -> Path:
    import io

    for ax in fig.axes:  # short, non-overlapping date labels on every time axis
        if isinstance(ax.xaxis.get_major_formatter(), mdates.AutoDateFormatter):
            locator = ax.xaxis.get_major_locator()
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    atomic_write(path, buffer.getvalue())
    return path


def _style(model: str) -> dict:
    return {"linestyle": "--", "linewidth": 1.0} if model in BASELINES else {"linewidth": 1.2}


def _shade(ax: Axes, index: pd.Index, split: Split) -> None:
    for part, color in _PARTS:
        lo, hi = split.bounds(part)
        ax.axvspan(index[lo], index[min(hi, len(index)) - 1], color=color, zorder=0, label=part)


def forecast_test(
    series: pd.Series,
    split: Split,
    evaluations: dict[str, Evaluation],
    path: Path,
    zoom: int = 150,
) -> Path:
    """Top: the whole series with train/val/test shaded and each model's one-step-ahead
    forecasts over the test part. Bottom: the last ``zoom`` test windows, close up."""
    fig = Figure(figsize=(11, 7))
    top, bottom = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1, 1.3]})
    _shade(top, series.index, split)
    top.plot(series.index, series.to_numpy(), color="black", linewidth=0.8, label="actual")
    first = next(iter(evaluations.values())).dates[-zoom:][0]
    test = series.loc[first:]
    bottom.plot(test.index, test.to_numpy(), color="black", linewidth=1.4, label="actual")
    for name, ev in evaluations.items():
        top.plot(ev.dates, ev.y_pred[:, 0, 0], **_style(name), alpha=0.8)
        bottom.plot(ev.dates[-zoom:], ev.y_pred[-zoom:, 0, 0], **_style(name), label=name)
    top.set_title(f"{series.name}: actual and forecast (step 1) — train / val / test")
    top.legend(loc="upper left", fontsize=8)
    shown = min(zoom, len(next(iter(evaluations.values())).dates))
    bottom.set_title(f"the last {shown} test windows: one-step-ahead forecasts")
    bottom.legend(loc="best", fontsize=8, ncol=2)
    for ax in (top, bottom):
        ax.grid(alpha=0.3)
    return _save(fig, path)


def loss_curves(histories: dict[str, pd.DataFrame], path: Path, loss: str = "mse") -> Path:
    """Train (solid) and validation (dashed) loss per epoch of every trained model; ``loss``
    names the loss they trained on (mse, mae), for the axis."""
    fig = Figure(figsize=(9, 5))
    ax = fig.subplots()
    for i, (name, h) in enumerate(histories.items()):
        color = f"C{i}"
        ax.plot(h["epoch"], h["train_loss"], color=color, label=f"{name} train")
        ax.plot(h["epoch"], h["val_loss"], color=color, linestyle="--", label=f"{name} val")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{loss.upper()} on scaled data")
    ax.set_title("training and validation loss")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    return _save(fig, path)


def error_by_step(evaluations: dict[str, Evaluation], path: Path) -> Path:
    """Test RMSE at each horizon step, per model: how fast each forecast degrades."""
    fig = Figure(figsize=(9, 5))
    ax = fig.subplots()
    for name, ev in evaluations.items():
        steps = ev.per_step.index
        ax.plot(steps, ev.per_step["rmse"], marker="o", label=name, **_style(name))
    ax.set_xlabel("horizon step")
    ax.set_ylabel("RMSE (data units)")
    ax.set_xticks(list(next(iter(evaluations.values())).per_step.index))
    ax.set_title("test error by horizon step")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


def forecast_future(
    series: pd.Series, forecasts: dict[str, pd.DataFrame], path: Path, bands: str | None = None
) -> Path:
    """The next H steps after the last date, per model, after the last 8·H rows (at least 30),
    so the forecast takes a readable share of the width; with ``bands`` naming a model whose
    forecast has ``<target>-lo-<level>`` / ``-hi-`` columns, its bands shaded."""
    fig = Figure(figsize=(10, 5))
    ax = fig.subplots()
    horizon = len(next(iter(forecasts.values())))
    recent = series.iloc[-max(30, 8 * horizon) :]
    ax.plot(recent.index, recent.to_numpy(), color="black", linewidth=1.2, label="history")
    for name, f in forecasts.items():
        dates = recent.index[-1:].append(f.index)
        values = np.concatenate([recent.to_numpy()[-1:], f.iloc[:, 0].to_numpy()])
        line = ax.plot(dates, values, marker=".", label=name, **_style(name))[0]
        if name != bands:
            continue
        levels = sorted((c.rsplit("-", 1)[1] for c in f.columns if "-lo-" in str(c)), key=int)
        for level, alpha in zip(reversed(levels), (0.12, 0.25), strict=False):
            lo, hi = f[f"{f.columns[0]}-lo-{level}"], f[f"{f.columns[0]}-hi-{level}"]
            ax.fill_between(
                f.index, lo, hi, color=line.get_color(), alpha=alpha, label=f"{name} {level} %"
            )
    ax.axvline(recent.index[-1], color="grey", linewidth=0.8)
    ax.set_title(f"{series.name}: the next {len(next(iter(forecasts.values())))} steps")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, path)


# Fonts with Chinese glyphs, where the system has one; DejaVu Sans draws the rest.
_CJK_FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "PingFang SC",
    "Microsoft YaHei",
    "DejaVu Sans",
]


def attention_map(
    source: list[str], target: list[str], weights: np.ndarray, path: Path, title: str = ""
) -> Path:
    """A heat map of attention ``weights`` (T, S): one row per output token (the end token
    last), one column per source token, darker where the decoder looked."""
    import warnings

    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    font = {"family": [f for f in _CJK_FONTS if f in installed] or ["DejaVu Sans"]}
    rows = [*target, "</s>"][: weights.shape[0]]
    fig = Figure(figsize=(max(4.0, 0.45 * len(source) + 1.5), max(3.0, 0.4 * len(rows) + 1.2)))
    ax = fig.add_subplot()
    image = ax.imshow(weights, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(
        range(len(source)),
        [t if t.strip() else "␣" for t in source],
        fontdict=font,
        rotation=90 if max(map(len, source), default=1) > 2 else 0,
    )
    ax.set_yticks(range(len(rows)), rows, fontdict=font)
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    ax.set_title(title, fontdict=font)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    with warnings.catch_warnings():  # a missing glyph draws a box, not a failure
        warnings.simplefilter("ignore", UserWarning)
        return _save(fig, path)


def write_all(result: RunResult, folder: Path) -> dict[str, Path]:
    """Write every plot of a run into ``folder``; return {title: path}."""
    series = result.data[result.target]
    images = {
        "Actual vs forecast over the test part": forecast_test(
            series, result.split, result.evaluations, folder / "forecast_test.png"
        ),
    }
    if result.forecasts:
        best = next((m for m in result.leaderboard.index if m in result.forecasts), None)
        images["The next steps after the last date"] = forecast_future(
            series, result.forecasts, folder / "forecast_future.png", best
        )
    images["Error by horizon step"] = error_by_step(
        result.evaluations, folder / "error_by_step.png"
    )
    if result.histories:
        images["Training and validation loss"] = loss_curves(
            result.histories, folder / "loss_curves.png", result.loss
        )
    return images
