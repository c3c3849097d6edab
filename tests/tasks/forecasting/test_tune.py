"""``seqlab tune``: Optuna over a declared space, on the training and validation rows only;
its best trial reruns through ``seqlab forecast --config``."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import seqlab as sl
from seqlab.cli import app
from seqlab.config import RunConfig
from seqlab.data.windows import chronological_split
from seqlab.errors import ConfigError
from seqlab.tasks.forecasting.tune import SPACES, open_study, tune


def _config(path, **extra):
    return RunConfig(
        data=str(path),
        target="value",
        models=["dlinear"],
        baselines=[],
        lookback=24,
        horizon=3,
        epochs=2,
        **extra,
    )


def _trials(study):
    return [(t.params, t.value) for t in study.trials]


def test_the_test_rows_are_never_read(tmp_path):
    df = sl.datasets.load("sine")
    clean, poisoned = tmp_path / "clean.csv", tmp_path / "poisoned.csv"
    df.to_csv(clean, index_label="date")
    split = chronological_split(df.index, 0.1, 0.2)
    bad = df.copy()
    bad.iloc[split.val_end :, 0] = np.nan  # every test row: any read of them would fail
    bad.to_csv(poisoned, index_label="date")
    a = tune(_config(clean), 3, tmp_path / "a.log", tmp_path / "a")
    b = tune(_config(poisoned), 3, tmp_path / "b.log", tmp_path / "b")
    assert _trials(a) == _trials(b)
    assert all(np.isfinite(v) for _, v in _trials(a))
    # and seqlab forecast itself does read them: the poison is real
    with pytest.raises(sl.errors.DataError):
        sl.Forecaster(model="dlinear", lookback=24, horizon=3, epochs=1).fit(
            pd.read_csv(poisoned, index_col="date", parse_dates=True)
        )


def test_the_best_trial_reruns_through_forecast_config(tmp_path):
    df = sl.datasets.load("sine")
    df.to_csv(tmp_path / "s.csv", index_label="date")
    result = CliRunner().invoke(
        app,
        [
            "tune",
            "--data",
            str(tmp_path / "s.csv"),
            "--target",
            "value",
            "--model",
            "lstm",
            "--lookback",
            "24",
            "--horizon",
            "3",
            "--epochs",
            "2",
            "--trials",
            "2",
            "--storage",
            str(tmp_path / "study.db"),
            "--out",
            str(tmp_path / "best"),
        ],
    )
    assert result.exit_code == 0, result.output
    study = open_study(tmp_path / "study.db", "seqlab-lstm", 0)  # SQLite, shared
    assert len(study.trials) == 2
    assert set(study.best_trial.params) == {"lr", "batch_size", *SPACES["lstm"]}
    saved = json.loads((tmp_path / "best" / "config.json").read_text())
    assert saved["lr"] == study.best_trial.params["lr"]
    rerun = CliRunner().invoke(
        app,
        [
            "forecast",
            "--config",
            str(tmp_path / "best" / "config.json"),
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert rerun.exit_code == 0, rerun.output
    history = pd.read_csv(tmp_path / "run" / "lstm" / "history.csv")
    assert history["val_loss"].min() == pytest.approx(study.best_value, rel=1e-6)


def test_a_journal_study_is_continued_by_a_second_run(tmp_path):
    df = sl.datasets.load("sine")
    df.to_csv(tmp_path / "s.csv", index_label="date")
    tune(_config(tmp_path / "s.csv"), 2, tmp_path / "j.log", tmp_path / "o")
    again = tune(_config(tmp_path / "s.csv"), 1, tmp_path / "j.log", tmp_path / "o")
    assert len(again.trials) == 3


def test_one_model_at_a_time(tmp_path):
    with pytest.raises(ConfigError, match="--model lstm"):
        tune(RunConfig(models=["lstm", "gru"]), 1, tmp_path / "j.log", tmp_path)


@pytest.mark.parametrize(
    ("options", "start", "option"),
    [
        (["--model", "naive"], "error: models of seqlab tune must be a network", "--model"),
        (["--model", "prophet"], "error: model must be one of the registered models", "--model"),
        (["--trials", "0"], "error: trials of tune must be a positive integer; got 0.", "--trials"),
        (["--storage", "DIR"], "error: storage of tune must be a file", "--storage"),
        (["--storage", "BINARY.log"], "error: storage of tune must be a journal or SQLite", ""),
        (["--storage", "BINARY.db"], "error: storage of tune must be a journal or SQLite", ""),
    ],
)
def test_bad_tuning_input_is_one_line_and_no_traceback(options, start, option, tmp_path):
    (tmp_path / "DIR").mkdir()
    binary = bytes(range(256)) * 8
    for name in ("BINARY.log", "BINARY.db"):
        (tmp_path / name).write_bytes(binary)
    given = [str(tmp_path / o) if o in ("DIR", "BINARY.log", "BINARY.db") else o for o in options]
    out = str(tmp_path / "out")
    result = CliRunner().invoke(
        app,
        ["tune", "--dataset", "sine", "--epochs", "1", "--trials", "1", *given, "--out", out],
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith(start), result.output
    assert "Traceback" not in result.output and "Trial 0 failed" not in result.output
    assert len(result.output.strip().splitlines()) <= 2  # one sentence, wrapped at most once
    assert option in result.output


def test_the_config_a_tuning_run_writes_keeps_the_baselines(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            *("tune", "--dataset", "sine", "--model", "dlinear", "--lookback", "24"),
            *("--horizon", "3", "--epochs", "1", "--trials", "1"),
            *("--storage", str(tmp_path / "j.log"), "--out", str(tmp_path / "best")),
        ],
    )
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "best" / "config.json").read_text())
    assert written["baselines"] == RunConfig().baselines and written["models"] == ["dlinear"]
