"""A forecasting experiment: several models on one series, one run folder.

This is what ``seqlab forecast`` calls: fit every model and the naive baselines with the same
split, score them on the same test windows, save each model, write the leaderboard and the
next forecasts, and return it all as plain results (:class:`RunResult`). The plots and the
HTML report are drawn from those results by :func:`seqlab.report.write_run`; the CLI only
parses and presents.

Run folder::

    config.json                 the RunConfig (written first); `seqlab forecast --config
                                config.json` reruns it, `seqlab forecast --resume FOLDER`
                                goes on with it after a kill
    leaderboard.csv / .json     one row per model, sorted by test RMSE
    <model>/                    the saved Forecaster (config, state, weights, history.csv);
                                while it trains, only checkpoint.safetensors (every epoch)
    forecast.csv                the next H steps, one column per model
    forecast_test.png, loss_curves.png, error_by_step.png, forecast_future.png, report.html
                                written by seqlab.report.write_run
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from seqlab.config import RunConfig, load_config
from seqlab.data.windows import Split
from seqlab.errors import ConfigError
from seqlab.models import BASELINES
from seqlab.tasks.forecasting.evaluation import Evaluation
from seqlab.tasks.forecasting.forecaster import Forecaster
from seqlab.tasks.forecasting.future import describe_inputs
from seqlab.tasks.forecasting.run_files import fit_model, save_model, write_config, write_tables

__all__ = ["RunConfig", "RunResult", "load_config", "run_forecast"]


@dataclass
class RunResult:
    """What a run produced, as plain data: no fitted estimator inside.

    ``leaderboard`` has one row per model (test metrics, skill, params, train seconds,
    epochs, best epoch); ``evaluations``, ``forecasts`` (the next H steps) and ``histories``
    (per-epoch losses; empty for baselines) are keyed by model name. ``split`` is the one
    train/validation/test split every model shared, ``freq`` the data's step and ``loss`` the
    training loss ("mse" or "mae", on the scaled data).
    """

    config: RunConfig
    out: Path | None
    data: pd.DataFrame
    target: str
    freq: str
    split: Split
    loss: str
    leaderboard: pd.DataFrame
    evaluations: dict[str, Evaluation]
    forecasts: dict[str, pd.DataFrame]
    histories: dict[str, pd.DataFrame]
    seconds: float

    def neural_beats_naive(self) -> bool:
        """Did any trained model score a positive skill against the naive forecast?"""
        neural = self.leaderboard.drop(index=list(BASELINES), errors="ignore")
        return bool((neural["skill"] > 0).any())

    def future(self) -> pd.DataFrame:
        """The next H steps of the first target, one column per model (the models that read
        future features forecast past the data only with ``config.future``, their rows)."""
        if not self.forecasts:
            return pd.DataFrame()
        return pd.concat({name: f.iloc[:, 0] for name, f in self.forecasts.items()}, axis=1)


def run_forecast(
    config: RunConfig,
    out: str | Path | None = None,
    verbose: bool = False,
    on_start: Callable[[pd.DataFrame], None] | None = None,
    on_model: Callable[[str], None] | None = None,
    resume: bool = False,
) -> RunResult:
    """Fit and score every model of ``config``; with ``out``, save them and the run's tables
    into that folder, each model's training state checkpointed there after every epoch.
    With ``resume``, the models that ``out`` holds finished are loaded, not refitted, and
    one stopped part-way goes on from its checkpoint, to the same result as a run never
    stopped.

    ``on_start(data)`` is called once the data and every model's settings have passed their
    checks, ``on_model(name)`` before each model starts (the CLI prints lines there).

    Example:
        >>> from seqlab.config import RunConfig
        >>> result = run_forecast(RunConfig(dataset="sine", models=["dlinear"], epochs=1))
        >>> list(result.leaderboard.index) == sorted(result.evaluations, key=lambda m:
        ...     result.leaderboard.loc[m, "rmse"])
        True
    """
    start = time.perf_counter()
    folder = None if out is None else Path(out)
    stray = sorted(set(config.model_params) - set(config.all_models()))
    if stray:
        raise ConfigError(
            f"model_params of the run must name models of the run "
            f"({', '.join(config.all_models())}); got {stray}. Add them to models, or drop "
            "their settings.",
            param="model_params",
        )
    if config.id_col is not None:
        from seqlab.tasks.forecasting.experiment_panel import run_panel

        return run_panel(config, folder, verbose, on_start, on_model, resume)  # type: ignore[return-value]
    df = config.load_data()
    if folder is not None:
        write_config(config, folder)
    # Check every model's settings and the data once, before any training starts.
    pending = {
        name: Forecaster(**config.forecaster_params(name), verbose=verbose)
        for name in config.all_models()
    }
    for fc in pending.values():
        fc._check_data(df)
    ahead = config.load_future()
    if on_start is not None:
        on_start(df)
    rows, evaluations, forecasts, histories = [], {}, {}, {}
    for name, fc in pending.items():
        if on_model is not None:
            on_model(name)
        fc = fit_model(fc, df, None if folder is None else folder / name, resume)
        evaluation = fc.evaluate(df)
        assert isinstance(evaluation, Evaluation)  # one series
        levels = config.levels if config.strategy == "direct" else None  # conformal bands
        evaluations[name] = evaluation
        if ahead is not None or not set(fc.future_) & set(fc.future_features or []):
            forecasts[name] = fc.predict(df, levels=levels, future=ahead)
        if len(fc.history_):
            histories[name] = fc.history_
        if folder is not None:
            save_model(fc, folder / name)
        rows.append(
            {
                "model": name,
                **evaluations[name].metrics,
                "skill": evaluations[name].skill,
                "params": fc.n_params_,
                "train_seconds": fc.fit_seconds_,
                "epochs": len(fc.history_),
                "best_epoch": fc.best_epoch_,
                "precision": fc.precision_ or "",
                "inputs": describe_inputs(fc.inputs_),
            }
        )
    first = next(iter(pending.values()))
    result = RunResult(
        config=config,
        out=folder,
        data=df,
        target=first.targets_[0],
        freq=first.freq_,
        split=first.split_,
        loss=first.loss,
        leaderboard=pd.DataFrame(rows).set_index("model").sort_values("rmse"),
        evaluations=evaluations,
        forecasts=forecasts,
        histories=histories,
        seconds=time.perf_counter() - start,
    )
    if folder is not None:
        write_tables(result, folder)
    return result
