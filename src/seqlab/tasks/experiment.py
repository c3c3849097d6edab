"""A forecasting experiment: several models on one series, one run folder.

This is what ``seqlab forecast`` calls: fit every model and the naive baselines with the same
split, score them on the same test windows, save each model, write the leaderboard, the plots
and the HTML report into the run folder, and return it all. The CLI only parses and presents.

Run folder::

    config.json                 the RunConfig; `seqlab forecast --config config.json` reruns it
    leaderboard.csv / .json     one row per model, sorted by test RMSE
    <model>/                    the saved Forecaster (config, state, weights, history.csv)
    forecast_test.png           actual vs predicted over the test part, splits shaded
    loss_curves.png             train and validation loss of every trained model
    error_by_step.png           test RMSE by horizon step
    forecast_future.png         the next H steps after the last date, with recent history
    forecast.csv                those next H steps, one column per model
    report.html                 all of the above in one self-contained page
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from seqlab.config import RunConfig, load_config
from seqlab.io import atomic_write, write_json
from seqlab.models import BASELINES
from seqlab.tasks.forecast import Evaluation, Forecaster

__all__ = ["Experiment", "RunConfig", "load_config", "run_forecast"]


@dataclass
class Experiment:
    """What a run produced: the leaderboard, each model's evaluation and next-H forecast."""

    config: RunConfig
    out: Path
    leaderboard: pd.DataFrame
    evaluations: dict[str, Evaluation]
    forecasts: dict[str, pd.DataFrame]
    data: pd.DataFrame
    forecasters: dict[str, Forecaster]
    seconds: float

    def neural_beats_naive(self) -> bool:
        neural = self.leaderboard.drop(index=list(BASELINES), errors="ignore")
        return bool((neural["skill"] > 0).any())


def run_forecast(
    config: RunConfig,
    out: str | Path,
    verbose: bool = False,
    on_start: Callable[[pd.DataFrame], None] | None = None,
    on_model: Callable[[str], None] | None = None,
) -> Experiment:
    """Fit, score and save every model of ``config`` into the run folder ``out``.

    ``on_start(data)`` is called once the data and every model's settings have passed their
    checks, ``on_model(name)`` before each model starts (the CLI prints lines there).
    """
    start = time.perf_counter()
    out = Path(out)
    df = config.load_data()
    # Check every model's settings and the data once, before any training starts.
    pending = {name: config.forecaster(name, verbose=verbose) for name in config.all_models()}
    for fc in pending.values():
        fc._check_data(df)
    if on_start is not None:
        on_start(df)
    rows, evaluations, forecasts, fitted = [], {}, {}, {}
    for name, fc in pending.items():
        if on_model is not None:
            on_model(name)
        fc.fit(df)
        ev = fc.evaluate(df)
        fc.save(out / name)
        fitted[name], evaluations[name], forecasts[name] = fc, ev, fc.predict(df)
        rows.append(
            {
                "model": name,
                **ev.metrics,
                "skill": ev.skill,
                "params": fc.n_params_,
                "train_seconds": fc.fit_seconds_,
                "epochs": len(fc.history_),
                "best_epoch": fc.best_epoch_,
            }
        )
    leaderboard = pd.DataFrame(rows).set_index("model").sort_values("rmse")
    experiment = Experiment(
        config, out, leaderboard, evaluations, forecasts, df, fitted, time.perf_counter() - start
    )
    _write(experiment)
    return experiment


def _write(exp: Experiment) -> None:
    from seqlab.report import html, plots

    write_json(exp.out / "config.json", asdict(exp.config))
    atomic_write(exp.out / "leaderboard.csv", exp.leaderboard.to_csv().encode())
    records = json.loads(exp.leaderboard.reset_index().to_json(orient="records"))
    write_json(exp.out / "leaderboard.json", records)
    future = pd.concat({name: f.iloc[:, 0] for name, f in exp.forecasts.items()}, axis=1)
    atomic_write(exp.out / "forecast.csv", future.to_csv(index_label="date").encode())
    images = plots.write_all(exp)
    html.write_report(exp, images)
