"""A forecasting experiment on many series: global models and M4's baselines, one run folder.

What :func:`seqlab.tasks.forecasting.experiment.run_forecast` does when the run names an ``id_col``:
every model is one global Forecaster over all series, scored per series on each series' last
H rows; the leaderboard holds the means over series (sMAPE, MASE, OWA against Naive2,
MSIS, coverage) and how many series each model wins (lowest MASE). Run folder::

    config.json, leaderboard.csv / .json, <model>/ (saved Forecasters)
    forecast.csv        the next H steps of every series: id, time, one column per model
                        and its bounds (<model>-lo-95, <model>-hi-95, ...)
    series_grid.png, error_distribution.png, loss_curves.png, report.html
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seqlab.config import RunConfig
from seqlab.tasks.forecasting.forecaster import Forecaster
from seqlab.tasks.forecasting.future import describe_inputs
from seqlab.tasks.forecasting.intervals import PanelEvaluation
from seqlab.tasks.forecasting.run_files import fit_model, save_model, write_config, write_tables

__all__ = ["PanelRunResult", "run_panel"]


@dataclass
class PanelRunResult:
    """What a run on many series produced, as plain data (see :class:`RunResult`)."""

    config: RunConfig
    out: Path | None
    data: pd.DataFrame
    id_col: str
    target: str
    leaderboard: pd.DataFrame
    evaluations: dict[str, PanelEvaluation]
    forecasts: dict[str, pd.DataFrame]
    histories: dict[str, pd.DataFrame]
    loss: str
    seconds: float

    def future(self) -> pd.DataFrame:
        """The next H steps of every series: id, time, then each model's columns."""
        frames = list(self.forecasts.values())
        keys = list(frames[0].columns[:2])
        out = frames[0]
        for frame in frames[1:]:
            out = out.merge(frame, on=keys, how="outer")
        return out


def run_panel(
    config: RunConfig,
    folder: Path | None,
    verbose: bool = False,
    on_start: Callable[[pd.DataFrame], None] | None = None,
    on_model: Callable[[str], None] | None = None,
    resume: bool = False,
) -> PanelRunResult:
    """Fit, score and save every model of ``config`` on its long data (see the module)."""
    start = time.perf_counter()
    df = config.load_data()
    if folder is not None:
        write_config(config, folder)
    pending = {
        name: Forecaster(**config.forecaster_params(name), verbose=verbose)
        for name in config.all_models()
    }
    for fc in pending.values():  # every model's settings, then the data once, before training
        fc._check_params()
    next(iter(pending.values()))._read_panel(df)  # the data options are the run's, shared
    ahead = config.load_future()
    if on_start is not None:
        on_start(df)
    evaluations, forecasts, histories, rows = {}, {}, {}, []
    for name, fc in pending.items():
        if on_model is not None:
            on_model(name)
        fc = fit_model(fc, df, None if folder is None else folder / name, resume)
        evaluation = fc.evaluate(df, levels=config.levels)
        assert isinstance(evaluation, PanelEvaluation)  # long data
        evaluations[name] = evaluation
        if ahead is not None or not fc.future_:  # the forecast past the data needs them
            forecasts[name] = fc.predict(df, levels=config.levels, future=ahead)
        if len(fc.history_):
            histories[name] = fc.history_
        if folder is not None:
            save_model(fc, folder / name)
        extra = {
            "params": fc.n_params_,
            "train_seconds": fc.fit_seconds_,
            "epochs": len(fc.history_),
            "best_epoch": fc.best_epoch_,
            "inputs": describe_inputs(fc.inputs_),
        }
        rows.append({"model": name, **evaluations[name].metrics, **extra})
    board = pd.DataFrame(rows).set_index("model")
    mase = pd.DataFrame({name: ev.per_series["mase"] for name, ev in evaluations.items()})
    winners = mase.to_numpy().argmin(axis=1)
    board.insert(3, "wins", [int(np.sum(winners == k)) for k in range(len(mase.columns))])
    first = next(iter(pending.values()))
    result = PanelRunResult(
        config=config,
        out=folder,
        data=df,
        id_col=first.id_col or "unique_id",
        target=first.targets_[0],
        leaderboard=board.sort_values("owa"),
        evaluations=evaluations,
        forecasts=forecasts,
        histories=histories,
        loss=first.loss,
        seconds=time.perf_counter() - start,
    )
    if folder is not None:
        write_tables(result, folder)
    return result
