"""`seqlab forecast`, `seqlab predict` and their errors, through typer's CliRunner."""

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from seqlab.cli import app

runner = CliRunner()
# Small and fast: the sine series, two tiny models and the baselines.
QUICK = [
    "--dataset",
    "sine",
    "--models",
    "gru,dlinear",
    "--lookback",
    "20",
    "--horizon",
    "3",
    "--epochs",
    "3",
    "--hidden-size",
    "8",
    "--num-layers",
    "1",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "quick"
    result = runner.invoke(app, ["forecast", *QUICK, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_forecast_writes_a_complete_run_folder(run):
    out, _ = run
    names = {p.name for p in out.iterdir()}
    assert {
        "config.json",
        "leaderboard.csv",
        "leaderboard.json",
        "report.html",
        "forecast.csv",
        "forecast_test.png",
        "loss_curves.png",
        "error_by_step.png",
        "forecast_future.png",
    } <= names
    for model in ("gru", "dlinear", "naive", "drift"):
        assert {"model.safetensors", "history.csv", "config.json"} <= {
            p.name for p in (out / model).iterdir()
        }
    for png in out.glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_leaderboard_is_sorted_and_complete(run):
    out, output = run
    board = pd.read_csv(out / "leaderboard.csv", index_col="model")
    assert list(board["rmse"]) == sorted(board["rmse"])
    assert set(board.index) == {"gru", "dlinear", "naive", "drift"}
    for column in ("rmse", "mae", "mape", "mase", "skill", "direction", "params", "train_seconds"):
        assert column in board.columns
    assert board.loc["naive", "skill"] == pytest.approx(0.0)
    assert "Leaderboard" in output and "Run folder" in output


def test_report_embeds_everything(run):
    out, _ = run
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 4
    assert "Leaderboard" in page and "scaler fitted on train only" in page
    assert "<table>" in page and "dlinear" in page


def test_config_json_reproduces_the_run(run, tmp_path):
    out, _ = run
    config = json.loads((out / "config.json").read_text())
    assert config["dataset"] == "sine" and config["models"] == ["gru", "dlinear"]
    again = tmp_path / "again"
    result = runner.invoke(
        app, ["forecast", "--config", str(out / "config.json"), "--out", str(again)]
    )
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "forecast.csv"), pd.read_csv(again / "forecast.csv")
    )


def test_predict_from_a_saved_model(run, tmp_path):
    out, _ = run
    csv = tmp_path / "next.csv"
    result = runner.invoke(
        app, ["predict", "--from", str(out / "gru"), "--dataset", "sine", "--out", str(csv)]
    )
    assert result.exit_code == 0, result.output
    future = pd.read_csv(csv, index_col="date", parse_dates=True)
    assert list(future.index.strftime("%Y-%m-%d")) == ["2002-09-27", "2002-09-28", "2002-09-29"]
    assert "2002-09-27" in result.output


def test_predict_model_data_mismatch_is_one_sentence(run, tmp_path):
    out, _ = run
    result = runner.invoke(app, ["predict", "--from", str(out / "gru"), "--dataset", "msft"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: column 'value' of the data must exist; got columns Open, High, Low, Close, "
        "Volume. Choose the target and features among them."
    )


def _error(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def test_missing_file(tmp_path):
    line = _error(["forecast", "--data", str(tmp_path / "none.csv")])
    assert line == (
        f"error: path of read_table must be an existing file; got "
        f"'{tmp_path / 'none.csv'}'. Check the path. On the command line: --data."
    )


def test_csv_without_the_target_column(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame(
        {"date": pd.date_range("2020", periods=50).astype(str), "price": range(50)}
    ).to_csv(path, index=False)
    line = _error(["forecast", "--data", str(path), "--target", "Close"])
    assert line == (
        "error: column 'Close' of the data must exist; got columns price. "
        "Choose the target and features among them. On the command line: --target, --features."
    )


def test_a_file_of_text(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("Dear diary,\nit rained all day.\n")
    line = _error(["forecast", "--data", str(path)])
    assert line == (
        "error: file of read_table must be a table with at least one numeric column; got none "
        "in notes.csv (columns: Dear diary, Unnamed: 1). Check that it is a CSV of values with "
        "a header row. On the command line: --data."
    )


def test_unknown_model_fails_before_any_training():
    line = _error(["forecast", "--dataset", "sine", "--models", "lstm,prophet"])
    assert line.startswith("error: model must be one of the registered models rnn, lstm, gru")
    assert "got 'prophet'" in line


def test_lookback_longer_than_the_data():
    line = _error(["forecast", "--dataset", "airpassengers", "--lookback", "200"])
    assert line.startswith("error: data must have enough rows for lookback=200")


def test_horizon_zero():
    line = _error(["forecast", "--dataset", "sine", "--horizon", "0"])
    assert line == (
        "error: horizon of Forecaster must be a positive integer; got 0. On the command line: "
        "--horizon."
    )


@pytest.mark.parametrize(
    "command",
    [
        ["forecast"],
        ["predict"],
        ["data"],
        ["data", "fetch"],
        ["data", "fetch", "yfinance"],
        ["data", "fetch", "tushare"],
    ],
)
def test_every_help_ends_with_an_example(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "seqlab " in result.output.split("Example")[-1]


def _csv(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _frame_with_a_gap():
    values = [float(v) for v in range(120)]
    values[50] = float("nan")
    return pd.DataFrame({"date": pd.date_range("2020", periods=120).astype(str), "y": values})


@pytest.mark.parametrize(
    ("options", "option"),
    [
        (["--data", "GAP", "--target", "y"], "--missing"),
        (["--dataset", "sine", "--models", "prophet"], "--models"),
        (["--dataset", "sine", "--lookback", "5000"], "--lookback"),
        (["--dataset", "sine", "--val-size", "0.5", "--test-size", "0.5"], "--val-size"),
        (["--dataset", "sine", "--strategy", "sideways"], "--strategy"),
        (["--dataset", "sine", "--param", "tcn"], "--param"),
        (["--dataset", "sine", "--missing", "zero"], "--missing"),
        (["--data", "NODATE"], "--date-col"),
    ],
)
def test_every_cli_error_names_the_option_that_fixes_it(options, option, tmp_path):
    gap = _csv(tmp_path, _frame_with_a_gap())
    nodate = _csv(tmp_path, pd.DataFrame({"a": ["x", "y", "z"], "b": [1, 2, 3]}), "nodate.csv")
    given = [gap if o == "GAP" else nodate if o == "NODATE" else o for o in options]
    line = _error(["forecast", *given, "--epochs", "1", "--out", str(tmp_path / "run")])
    named = {w.strip(".,") for w in line.split() if w.startswith("--")}
    assert option in named, line
    forecast_options = {
        o for p in typer.main.get_command(app).commands["forecast"].params for o in p.opts
    }
    assert named <= forecast_options


def test_every_run_setting_has_an_option():
    from dataclasses import fields

    from seqlab.config import RunConfig

    params = {p.name for p in typer.main.get_command(app).commands["forecast"].params}
    aliases = {"model_params": "param"}
    missing = [f.name for f in fields(RunConfig) if aliases.get(f.name, f.name) not in params]
    assert missing == []


def test_future_features_from_the_command_line_to_predict_with_a_future_file(tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", periods=600, freq="h")
    load = np.cumsum(rng.normal(size=600))
    frame = pd.DataFrame({"date": dates, "price": 3 * load, "load": load})
    data = tmp_path / "prices.csv"
    frame.iloc[:-4].to_csv(data, index=False)
    frame.iloc[-4:][["date", "load"]].to_csv(tmp_path / "ahead.csv", index=False)
    args = ["forecast", "--data", str(data), "--target", "price", "--future-features", "load"]
    args += ["--calendar", "--holidays", "NO", "--models", "dlinear", "--lookback", "24"]
    args += ["--horizon", "4", "--epochs", "2", "--out", str(tmp_path / "run")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = str(tmp_path / "run" / "dlinear")
    predict = ["predict", "--from", saved, "--data", str(data), "--out", str(tmp_path / "n.csv")]
    result = runner.invoke(app, [*predict, "--future", str(tmp_path / "ahead.csv")])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "n.csv")
    assert len(out) == 4 and out.iloc[0, 0].startswith(str(dates[-4])[:13])
    line = _error(predict)  # no --future
    assert "got none" in line and "--future" in line


def test_a_bad_holiday_country_is_one_sentence_naming_the_option():
    line = _error(["forecast", "--dataset", "sine", "--holidays", "XX", "--epochs", "1"])
    assert "got 'XX'" in line and "--holidays" in line
