"""The Forecaster on long data: one global model over many series, intervals, M4's scores."""

import numpy as np
import pandas as pd
import pytest
import torch

import seqlab as sl
from seqlab.errors import ConfigError, DataError
from seqlab.models import BASELINES, REGISTRY
from seqlab.tasks.forecasting.intervals import conformal_quantile, level_quantiles

H, L = 6, 24


def panel_frame(series=12, seed=0, noise=0.3):
    """Daily-cycle series of different lengths, levels and starts."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(series):
        n = int(rng.integers(80, 120))
        t = np.arange(n)
        y = 10 + 3 * i + 2 * np.sin(2 * np.pi * t / 24) + noise * rng.standard_normal(n)
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=int(rng.integers(0, 48)))
        ds = pd.date_range(start, periods=n, freq="h")
        parts.append(pd.DataFrame({"unique_id": f"id{i:02d}", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def df():
    return panel_frame()


@pytest.fixture(scope="module")
def lstm(df):
    fc = sl.Forecaster(
        model="lstm", lookback=L, horizon=H, hidden_size=16, num_layers=1, epochs=2, batch_size=64
    )
    return fc.fit(df)


def test_scalers_are_fitted_on_each_series_training_rows_only(df, lstm):
    for k, (_, g) in enumerate(df.groupby("unique_id", sort=True)):
        train = g["y"].to_numpy()[: len(g) - 2 * H]  # M4's split: the last 2H rows held out
        assert lstm.series_.center[k, 0] == pytest.approx(train.mean())
        assert lstm.series_.scale[k, 0] == pytest.approx(train.std())
    changed = df.copy()
    last = changed.groupby("unique_id").tail(2 * H).index
    changed.loc[last, "y"] += 1000  # the held-out rows take no part in the scaling
    again = sl.Forecaster(**lstm.get_params()).fit(changed)
    np.testing.assert_array_equal(again.series_.center, lstm.series_.center)


def test_predict_every_series_with_bands_in_neuralforecast_columns(df, lstm):
    future = lstm.predict(df, levels=[80, 95])
    assert list(future.columns) == [
        "unique_id",
        "ds",
        "lstm",
        "lstm-lo-80",
        "lstm-hi-80",
        "lstm-lo-95",
        "lstm-hi-95",
    ]
    assert len(future) == 12 * H
    ends = df.groupby("unique_id")["ds"].max()
    firsts = future.groupby("unique_id")["ds"].min()
    assert (firsts - ends == pd.Timedelta(hours=1)).all()  # each series continues from its end
    assert (future["lstm-lo-95"] <= future["lstm-lo-80"]).all()
    assert (future["lstm-lo-80"] <= future["lstm"]).all()
    assert (future["lstm"] <= future["lstm-hi-80"]).all()
    assert (future["lstm-hi-80"] <= future["lstm-hi-95"]).all()


def test_evaluate_scores_every_series_the_m4_way(df, lstm):
    ev = lstm.evaluate(df, levels=[80, 95])
    assert ev.y_true.shape == ev.y_pred.shape == (12, H)
    truth = df.groupby("unique_id", sort=True)["y"].apply(lambda s: s.to_numpy()[-H:])
    np.testing.assert_array_equal(ev.y_true, np.stack(truth.to_list()))
    assert set(ev.metrics) >= {
        "smape",
        "mase",
        "owa",
        "msis",
        "coverage_80",
        "coverage_95",
        "pinball",
        "wql",
        "naive2_smape",
        "naive2_mase",
    }
    assert ev.metrics["owa"] == pytest.approx(
        (
            ev.metrics["smape"] / ev.metrics["naive2_smape"]
            + ev.metrics["mase"] / ev.metrics["naive2_mase"]
        )
        / 2
    )
    assert list(ev.per_series.index) == sorted(df["unique_id"].unique())
    assert ev.metrics["smape"] == pytest.approx(ev.per_series["smape"].mean())


# AutoARIMA's seasonal order search takes half a minute here; it shares the statistical
# models' long-data path, which ets, theta and mstl run (and tests/models/test_statistical.py).
@pytest.mark.parametrize("name", [name for name in REGISTRY if name != "arima"])
def test_every_model_of_the_zoo_runs_on_long_data(df, name):
    params = {"segrnn": {"patch_len": 6}, "patchtst": {"patch_len": 6}}
    fc = sl.Forecaster(
        model=name,
        lookback=L,
        horizon=H,
        hidden_size=8,
        num_layers=1,
        epochs=1,
        season_length=24,
        model_params=params.get(name),
    )
    fc.fit(df)
    future = fc.predict(df, levels=[90])
    assert future[name].notna().all() and len(future) == 12 * H
    assert np.isfinite(fc.evaluate(df).metrics["mase"])


def test_baselines_read_each_series_whole_history(df):
    fc = sl.Forecaster(model="seasonal_naive", lookback=2, horizon=H, season_length=24).fit(df)
    future = fc.predict(df)
    for sid, g in df.groupby("unique_id"):
        y = g["y"].to_numpy()
        expected = y[-24:][:H]  # one season back, from the series itself
        np.testing.assert_allclose(
            future.loc[future["unique_id"] == sid, "seasonal_naive"], expected
        )


def test_conformal_intervals_cover_as_promised_on_noise():
    # iid noise around a cycle: seasonal naive's errors are exchangeable across series
    noisy = panel_frame(series=150, seed=3, noise=1.0)
    fc = sl.Forecaster(model="seasonal_naive", lookback=24, horizon=H, season_length=24)
    ev = fc.fit(noisy).evaluate(noisy, levels=[50, 90])
    assert abs(ev.metrics["coverage_90"] - 90) < 6
    assert abs(ev.metrics["coverage_50"] - 50) < 8


def test_quantile_head_never_crosses_and_learns_its_levels(df):
    fc = sl.Forecaster(
        model="gru",
        lookback=L,
        horizon=H,
        hidden_size=8,
        num_layers=1,
        epochs=2,
        loss="pinball",
        levels=(50, 90),
    )
    fc.fit(df)
    assert fc.series_.quantiles == level_quantiles([50, 90]) == (0.05, 0.25, 0.5, 0.75, 0.95)
    out = fc.model_(torch.randn(64, L, 1) * 5)  # any input: sorted along the quantiles
    assert out.shape == (64, H, 5) and (out.diff(dim=-1) >= 0).all()
    future = fc.predict(df, levels=[90])
    assert (future["gru-lo-90"] <= future["gru"]).all() and (
        future["gru"] <= future["gru-hi-90"]
    ).all()
    with pytest.raises(ConfigError, match="among the levels the quantile head learned"):
        fc.predict(df, levels=[80])
    with pytest.raises(ConfigError, match="loss='pinball' of Forecaster needs long data"):
        sl.Forecaster(loss="pinball", target="Close").fit(sl.datasets.load("msft").iloc[-300:])


def test_series_embedding_and_calendar_features(df):
    fc = sl.Forecaster(
        model="dlinear", lookback=L, horizon=H, epochs=1, series_embedding=3, calendar=True
    )
    fc.fit(df)
    assert fc.columns_ == [
        "y",
        "hour_sin",
        "hour_cos",
        "weekday_sin",
        "weekday_cos",
        "month_sin",
        "month_cos",
    ]
    (embedding,) = [m for m in fc.model_.modules() if isinstance(m, torch.nn.Embedding)]
    assert embedding.weight.shape == (12, 3)  # one vector per series
    assert len(fc.predict(df)) == 12 * H
    new = panel_frame(series=13)
    new = new[new["unique_id"] == "id12"]
    with pytest.raises(DataError, match="got 'id12', which is new"):
        fc.predict(pd.concat([df, new]))


def test_saved_global_model_predicts_identically(df, lstm, tmp_path):
    lstm.save(tmp_path / "m")
    loaded = sl.Forecaster.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.predict(df, levels=[95]), lstm.predict(df, levels=[95]))
    assert loaded.series_.ids == lstm.series_.ids


def test_one_series_gets_conformal_bands_too():
    data = sl.datasets.load("sine")
    fc = sl.Forecaster(model="dlinear", lookback=30, horizon=4, epochs=2).fit(data)
    future = fc.predict(data, levels=[80, 95])
    width80 = future["value-hi-80"] - future["value-lo-80"]
    width95 = future["value-hi-95"] - future["value-lo-95"]
    assert (width80 > 0).all() and (width95 >= width80).all()
    half = conformal_quantile(fc.residuals_, 95)[:, 0]
    np.testing.assert_allclose(future["value-hi-95"] - future["value"], half)


def test_conformal_quantile_is_the_finite_sample_rank():
    errors = np.arange(1.0, 20.0)[:, None]  # n = 19: ⌈20·0.9⌉ = 18th smallest
    assert conformal_quantile(errors, 90)[0] == 18.0
    assert conformal_quantile(errors, 99)[0] == 19.0  # past n: the largest


def test_long_data_refuses_what_it_cannot_do(df):
    with pytest.raises(ConfigError, match="strategy of Forecaster must be 'direct' on long data"):
        sl.Forecaster(strategy="recursive").fit(df)
    with pytest.raises(ConfigError, match=r"data of Forecaster\.backtest must be one series"):
        sl.Forecaster().backtest(df)
    with pytest.raises(ConfigError, match="target of Forecaster must be one column on long data"):
        sl.Forecaster(target=["y", "y"]).fit(df)
    assert "naive2" in BASELINES


def test_bands_need_the_residuals_of_a_direct_fit():
    data = sl.datasets.load("sine")
    fc = sl.Forecaster(model="naive", strategy="recursive", lookback=10, horizon=3).fit(data)
    assert len(fc.predict(data)) == 3  # point forecasts as before
    with pytest.raises(
        ConfigError, match=r"got none \(strategy='recursive'\)\. Use strategy='direct'"
    ):
        fc.predict(data, levels=[80])
