"""The statistical baselines (statsforecast's AutoETS, AutoARIMA, AutoTheta, MSTL) as models of
the zoo: the same numbers as statsforecast itself, on one series and on many, the same dated
forecasts and conformal bands as every other row, one sentence without the extra."""

import sys

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import seqlab as sl
from seqlab.cli import app
from seqlab.errors import ConfigError

statsforecast_models = pytest.importorskip("statsforecast.models")

SMALL = {"lookback": 20, "horizon": 5, "season_length": 7}


@pytest.fixture(scope="module")
def sine():
    return sl.datasets.load("sine")


def test_predict_is_statsforecast_estimated_on_every_row(sine):
    fc = sl.Forecaster(model="ets", **SMALL).fit(sine)
    ours = fc.predict(sine)["value"].to_numpy()
    reference = statsforecast_models.AutoETS(season_length=7).forecast(
        y=sine["value"].to_numpy(), h=5
    )["mean"]
    np.testing.assert_allclose(ours, reference, rtol=1e-12)


def test_test_origins_use_the_parameters_of_the_training_rows(sine):
    fc = sl.Forecaster(model="theta", **SMALL).fit(sine)
    ev = fc.evaluate(sine)
    values = sine["value"].to_numpy()
    model = statsforecast_models.AutoTheta(season_length=7).fit(values[: fc.split_.train_end])
    origins = fc.split_.starts("test", 20, 5).numpy() + 20
    assert origins[-1] == len(values) - 5
    for n in (0, -1):
        origin = int(origins[n])
        expected = model.forward(y=values[:origin], h=5)["mean"]
        np.testing.assert_allclose(ev.y_pred[n, :, 0], expected, rtol=1e-10)
    assert ev.metrics["rmse"] < 0.3  # the sine's noise is 0.1


def test_bands_are_the_conformal_ones_of_every_row(sine, tmp_path):
    short = sine.iloc[:300]  # AutoARIMA's order search is slow on long series
    fc = sl.Forecaster(model="arima", **SMALL).fit(short)
    out = fc.predict(short, levels=[80])
    loaded = sl.Forecaster.load(fc.save(tmp_path / "arima"))
    pd.testing.assert_frame_equal(loaded.predict(short, levels=[80]), out)
    assert list(out.columns) == ["value", "value-lo-80", "value-hi-80"]
    width = (out["value-hi-80"] - out["value-lo-80"]).to_numpy()
    # split-conformal: the k-th smallest of n validation errors, k = ceil((n + 1) * 0.8)
    n = len(fc.residuals_)
    half = fc.residuals_[int(np.ceil((n + 1) * 0.8)) - 1, :, 0]
    assert (width > 0).all()
    np.testing.assert_allclose(width, 2 * half, rtol=1e-12)


def panel(n=3, length=120, seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(n):
        t = np.arange(length)
        y = 50 + 5 * i + 4 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.5, length)
        times = pd.date_range("2024-01-01", periods=length)
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": times, "y": y}))
    return pd.concat(parts, ignore_index=True)


def test_on_many_series_each_is_estimated_on_its_whole_history():
    df = panel()
    fc = sl.Forecaster(model="theta", horizon=7, lookback=14).fit(df)
    out = fc.predict(df, levels=[95])
    assert {"theta", "theta-lo-95", "theta-hi-95"} <= set(out.columns)
    for sid, rows in out.groupby("unique_id"):
        y = df.loc[df["unique_id"] == sid, "y"].to_numpy()
        expected = statsforecast_models.AutoTheta(season_length=7).forecast(y=y, h=7)["mean"]
        np.testing.assert_allclose(rows["theta"].to_numpy(), expected, rtol=1e-10)
    assert out.groupby("unique_id")["ds"].min().eq(pd.Timestamp("2024-04-30")).all()
    ev = fc.evaluate(df)
    assert ev.metrics["owa"] < 1.0  # a seasonal series: better than Naive2's flat line


def test_mstl_reads_two_seasons_of_hourly_data():
    hours = np.arange(24 * 28)
    rng = np.random.default_rng(1)
    y = 10 + 3 * np.sin(2 * np.pi * hours / 24) + 2 * np.sin(2 * np.pi * hours / 168)
    df = pd.DataFrame(
        {"load": y + rng.normal(0, 0.1, len(hours))},
        index=pd.date_range("2024-01-01", periods=len(hours), freq="h"),
    )
    fc = sl.Forecaster(model="mstl", lookback=48, horizon=24, test_size=0.05).fit(df)
    spec = fc.model_.spec(len(df))
    assert list(spec.season_length) == [24, 168]
    assert fc.evaluate(df).metrics["mae"] < 0.3


def test_the_recursive_strategy_is_refused_in_one_sentence(sine):
    with pytest.raises(ConfigError, match=r"must be 'direct' for the statistical model theta"):
        sl.Forecaster(model="theta", strategy="recursive", **SMALL).fit(sine)


def test_without_the_extra_one_sentence_names_it(sine, monkeypatch):
    monkeypatch.setitem(sys.modules, "statsforecast", None)
    with pytest.raises(ConfigError, match=r"pip install 'seqlab\[stats\]'"):
        sl.Forecaster(model="ets", **SMALL).fit(sine)


def test_seqlab_forecast_puts_them_on_the_leaderboard(tmp_path):
    out = tmp_path / "run"
    args = ["forecast", "--dataset", "sine", "--models", "dlinear", "--epochs", "1"]
    args += ["--lookback", "20", "--horizon", "3", "--baselines", "naive,ets,theta"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    board = pd.read_csv(out / "leaderboard.csv", index_col="model")
    assert {"ets", "theta", "naive", "dlinear"} <= set(board.index)
    assert board.loc["ets", "inputs"] == "past: value"
    future = pd.read_csv(out / "forecast.csv", index_col="date", parse_dates=True)
    assert {"ets", "theta"} <= set(future.columns) and len(future) == 3
    assert future.index[0] == sl.datasets.load("sine").index[-1] + pd.Timedelta(days=1)
