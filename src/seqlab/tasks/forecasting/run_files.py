"""The files of a run folder, written atomically and by rank 0 only (under torchrun): the
same for one series and many. While a model trains, its folder holds the trainer's
checkpoint; once it is saved, the checkpoint goes, so that ``--resume`` tells a finished
model (loaded) from one stopped part-way (continued)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from seqlab.io import atomic_write, write_json
from seqlab.train.distributed import is_main

__all__ = ["CHECKPOINT", "fit_model", "save_model", "write_config", "write_tables"]

CHECKPOINT = "checkpoint.safetensors"  # in each model's folder, while it trains


def write_config(config: Any, folder: Path) -> None:
    """config.json, first: what ``seqlab forecast --resume`` reads back."""
    if is_main():
        write_json(folder / "config.json", asdict(config))


def fit_model(fc: Any, df: pd.DataFrame, folder: Path | None, resume: bool) -> Any:
    """The Forecaster ``fc`` fitted on ``df``, its checkpoint in ``folder``; on ``resume``,
    the model ``folder`` holds finished (loaded), or its training gone on from the checkpoint."""
    if folder is None:
        return fc.fit(df)
    checkpoint = folder / CHECKPOINT
    if resume and not checkpoint.exists() and (folder / "history.csv").exists():
        return type(fc).load(folder, device=fc.device)
    going_on = resume and checkpoint.exists()
    return fc.fit(df, checkpoint=checkpoint, resume=checkpoint if going_on else None)


def save_model(fc: Any, folder: Path) -> None:
    """Save a fitted Forecaster, then drop its checkpoint."""
    if is_main():
        fc.save(folder)
        (folder / CHECKPOINT).unlink(missing_ok=True)


def write_tables(result: Any, folder: Path) -> None:
    """leaderboard.csv / .json and forecast.csv of a run (one series or many); its
    config.json was written first, by :func:`write_config`."""
    if not is_main():
        return
    atomic_write(folder / "leaderboard.csv", result.leaderboard.to_csv().encode())
    records = json.loads(result.leaderboard.reset_index().to_json(orient="records"))
    write_json(folder / "leaderboard.json", records)
    future = result.future()
    many = result.config.id_col is not None
    csv = future.to_csv(index=False) if many else future.to_csv(index_label="date")
    atomic_write(folder / "forecast.csv", csv.encode())
