"""The tables of a run folder, written atomically: the same for one series and many."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from seqlab.io import atomic_write, write_json

__all__ = ["write_tables"]


def write_tables(result: Any, folder: Path) -> None:
    """config.json, leaderboard.csv / .json and forecast.csv of a run (one series or many)."""
    write_json(folder / "config.json", asdict(result.config))
    atomic_write(folder / "leaderboard.csv", result.leaderboard.to_csv().encode())
    records = json.loads(result.leaderboard.reset_index().to_json(orient="records"))
    write_json(folder / "leaderboard.json", records)
    future = result.future()
    many = result.config.id_col is not None
    csv = future.to_csv(index=False) if many else future.to_csv(index_label="date")
    atomic_write(folder / "forecast.csv", csv.encode())
