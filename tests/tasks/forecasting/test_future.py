"""Future-known covariates in the Forecaster: fed for the forecast steps, asked of predict,
generated for the calendar and holidays, each bad input answered with one sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import seqlab as sl
from seqlab.errors import ConfigError, DataError


def _load_driven(rows: int = 1200, seed: int = 0) -> pd.DataFrame:
    """Hourly price = 3 × the load forecast of the same hour + noise; the load forecast is a
    random walk, so the past of the price says little about the next hours."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=rows, freq="h", name="date")
    load = np.cumsum(rng.normal(size=rows)) + 5 * rng.normal(size=rows)
    price = 3 * load + rng.normal(scale=0.3, size=rows)
    return pd.DataFrame({"price": price, "load": load}, index=index)


def _fc(**kwargs) -> sl.Forecaster:
    params = dict(
        model="dlinear",
        target="price",
        lookback=24,
        horizon=6,
        epochs=15,
        batch_size=64,
        lr=3e-3,
        patience=None,
        seed=0,
    )
    return sl.Forecaster(**(params | kwargs))


def test_the_covariates_known_ahead_lower_the_error_of_a_price_they_drive():
    df = _load_driven()
    past_only = _fc(features=["load"]).fit(df).evaluate(df).metrics["mae"]
    known = _fc(future_features=["load"]).fit(df).evaluate(df).metrics["mae"]
    assert known < 0.25 * past_only, (known, past_only)


def test_predict_takes_the_future_rows_and_their_values_move_the_forecast(tmp_path):
    df = _load_driven()
    fc = _fc(future_features=["load"]).fit(df)
    history, ahead = df.iloc[:-6], df.iloc[-6:][["load"]]
    out = fc.predict(history, future=ahead)
    assert list(out.index) == list(ahead.index)
    assert np.abs(out["price"].to_numpy() - df["price"].iloc[-6:].to_numpy()).mean() < 2.0
    higher = fc.predict(history, future=ahead + 10)
    assert (higher["price"] - out["price"]).mean() > 20  # 3 × 10, learned
    again = sl.Forecaster.load(fc.save(tmp_path / "fc")).predict(history, future=ahead)
    pd.testing.assert_frame_equal(again, out)


@pytest.mark.parametrize(
    ("future", "says"),
    [
        (None, r"future of Forecaster.predict must give the next 6 rows .* got none\. Pass"),
        ("no column", r"must have the column 'load' .* got columns temp\. Add it"),
        ("late", r"must start right after the data's last row .* got 2024-02-19 20:00:00 first"),
        ("short", r"must give 'load' for all 6 forecast steps .* got only 4 rows"),
        ("gap", r"must give 'load' for all 6 forecast steps .* got a gap at 2024-02-19 21:00"),
    ],
)
def test_missing_or_short_future_rows_get_one_sentence(future, says):
    df = _load_driven()
    fc = _fc(future_features=["load"], epochs=1).fit(df)
    history, ahead = df.iloc[:-6], df.iloc[-6:][["load"]].copy()
    given = {
        None: None,
        "no column": ahead.rename(columns={"load": "temp"}),
        "late": ahead.iloc[2:],
        "short": ahead.iloc[:4],
        "gap": ahead.assign(load=ahead["load"].where(np.arange(6) != 3)),
    }[future]
    with pytest.raises(DataError, match=says) as err:
        fc.predict(history, future=given)
    assert err.value.params == ("future",) and str(err.value).count(". ") <= 2


def test_a_future_column_absent_from_the_data_is_named():
    with pytest.raises(DataError, match=r"future_features must name columns .* got 'lod'"):
        _fc(future_features=["lod"]).fit(_load_driven())


def test_calendar_and_holidays_are_generated_for_the_forecast_steps():
    df = _load_driven(600)[["price"]]
    fc = _fc(calendar=True, holidays="NO", epochs=1).fit(df)
    assert fc.future_ == [
        "hour_sin",
        "hour_cos",
        "weekday_sin",
        "weekday_cos",
        "month_sin",
        "month_cos",
        "holiday",
    ]
    assert fc.shape_.future_size == 7
    assert len(fc.predict(df)) == 6  # no future file: all of it is generated


def test_a_country_the_holidays_package_does_not_know_gets_one_sentence():
    with pytest.raises(ConfigError, match=r"holidays must be a country code .* got 'XX'"):
        _fc(holidays="XX").fit(_load_driven(300))


def test_the_covariates_are_scaled_on_the_training_rows_only():
    df = _load_driven()
    fc = _fc(future_features=["load"], epochs=1).fit(df)
    train = df.iloc[: fc.split_.train_end]
    assert np.allclose(fc.scaler_.center, train[["price", "load"]].mean().to_numpy())
    assert not np.isclose(fc.scaler_.center[1], df["load"].mean())


def _stores(n: int = 6, rows: int = 80) -> pd.DataFrame:
    """Long data: each store's sales follow its size (one number per store)."""
    rng = np.random.default_rng(0)
    frames = []
    for s in range(n):
        size = float(s + 1)
        ds = pd.date_range("2024-01-01", periods=rows, freq="D")
        y = size * (10 + np.sin(np.arange(rows) / 3)) + rng.normal(scale=0.1, size=rows)
        frames.append(pd.DataFrame({"unique_id": f"s{s}", "ds": ds, "y": y, "size": size}))
    return pd.concat(frames, ignore_index=True)


def _panel_fc(**kwargs) -> sl.Forecaster:
    params = dict(
        model="gru",
        lookback=12,
        horizon=4,
        epochs=3,
        hidden_size=8,
        num_layers=1,
        static_features=["size"],
        seed=0,
    )
    return sl.Forecaster(**(params | kwargs))


def test_static_covariates_go_with_every_row_of_their_series_and_survive_a_save(tmp_path):
    df = _stores()
    fc = _panel_fc().fit(df)
    assert fc.columns_ == ["y", "size"] and fc.inputs_["static"] == ["size"]
    assert fc.shape_.input_size == 2
    sizes = np.arange(1.0, 7.0)
    assert fc.series_.static_center[0] == pytest.approx(sizes.mean())
    out = fc.predict(df)
    bigger = fc.predict(df.assign(size=df["size"] + 3))
    assert not np.allclose(out["gru"], bigger["gru"])  # the model reads them
    again = sl.Forecaster.load(fc.save(tmp_path / "fc")).predict(df)
    pd.testing.assert_frame_equal(again, out)


def test_a_static_covariate_that_varies_within_a_series_is_named():
    df = _stores()
    df.loc[3, "size"] = 9.0
    with pytest.raises(DataError, match=r"one value per series; got several for 'size' in .*s0"):
        _panel_fc().fit(df)


def test_static_covariates_of_one_series_and_future_ones_of_many_say_what_to_do():
    with pytest.raises(ConfigError, match=r"static_features of Forecaster need long data"):
        _fc(static_features=["load"]).fit(_load_driven(300))
    with pytest.raises(ConfigError, match=r"holidays and step of Forecaster work on one series"):
        _panel_fc(holidays="DE").fit(_stores())


def _promotions(n: int = 6, rows: int = 150, ahead: int = 0) -> pd.DataFrame:
    """Long data: each store's sales jump by 6 on its promotion days, known in advance; with
    ``ahead`` the promotions of the days after the sales too (y empty there)."""
    rng = np.random.default_rng(0)
    frames = []
    for s in range(n):
        promo = (rng.random(rows + ahead) < 0.3).astype(float)
        y = 20 + s + 6 * promo + rng.normal(0, 0.5, rows + ahead)
        y[rows:] = np.nan
        ds = pd.date_range("2024-01-01", periods=rows + ahead, freq="D")
        frames.append(pd.DataFrame({"unique_id": f"s{s}", "ds": ds, "y": y, "promo": promo}))
    return pd.concat(frames, ignore_index=True)


def _promo_fc(**kwargs) -> sl.Forecaster:
    params = dict(model="dlinear", lookback=14, horizon=7, epochs=30, lr=1e-2, seed=0)
    return sl.Forecaster(**(params | kwargs))


def test_future_covariates_of_many_series_are_read_for_the_steps_forecast(tmp_path):
    both = _promotions(ahead=7)
    df, ahead = both[both["y"].notna()], both[both["y"].isna()].drop(columns="y")
    blind = _promo_fc().fit(df).evaluate(df).metrics["mase"]
    fc = _promo_fc(future_features=["promo"]).fit(df)
    assert fc.inputs_ == {"past": ["y", "promo"], "future": ["promo"], "static": []}
    assert fc.evaluate(df).metrics["mase"] < 0.5 * blind  # measured: 0.10 against 0.92
    # every covariate scaled on each series' training rows only (the last 2 H are not)
    train = df.groupby("unique_id")["promo"].apply(lambda p: p.iloc[: len(p) - 14].mean())
    np.testing.assert_allclose(fc.series_.center[:, 1], train.to_numpy())
    out = fc.predict(df, levels=[80], future=ahead)
    assert len(out) == 6 * 7 and {"dlinear-lo-80", "dlinear-hi-80"} <= set(out.columns)
    jump = out["dlinear"].to_numpy() - np.repeat(20 + np.arange(6.0), 7)
    promo = ahead["promo"].to_numpy() == 1
    assert jump[promo].mean() - jump[~promo].mean() > 4  # the promotions read ahead
    again = sl.Forecaster.load(fc.save(tmp_path / "fc")).predict(df, levels=[80], future=ahead)
    pd.testing.assert_frame_equal(again, out)


def test_missing_future_rows_of_many_series_are_named():
    both = _promotions(ahead=7)
    df, ahead = both[both["y"].notna()], both[both["y"].isna()].drop(columns="y")
    fc = _promo_fc(future_features=["promo"], epochs=1).fit(df)
    with pytest.raises(DataError, match=r"for every series \(from 2024-05-30 00:00:00 for 's0'\)"):
        fc.predict(df)
    with pytest.raises(DataError, match=r"series 's5' the 7 rows .* a gap at 2024-06-05"):
        fc.predict(df, future=ahead.iloc[:-1])
    with pytest.raises(DataError, match=r"with the column 'promo'"):
        fc.predict(df, future=ahead.drop(columns="promo"))


def test_step_trains_on_every_step_th_origin_counted_back_from_the_data_end():
    df = _load_driven(600)
    fc = _fc(future_features=["load"], step=24, epochs=1)
    fc.fit(df)
    train, val = fc._windows(*fc._check_data(df)[::2])
    for part in (train, val):
        origins = part.starts.numpy() + fc.lookback  # the first forecast row of each window
        assert len(origins) and ((len(df) - origins) % 24 == 0).all()


def test_update_trains_further_from_the_current_weights_on_the_latest_rows():
    df = _load_driven()
    fc = _fc(future_features=["load"], epochs=2).fit(df.iloc[:900])
    before = {k: v.clone() for k, v in fc.model_.state_dict().items()}
    history, ahead = df.iloc[:-6], df.iloc[-6:][["load"]]
    first = fc.predict(history, future=ahead)
    fc.update(df.iloc[600:-6], epochs=2)
    after = fc.model_.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)
    assert not np.allclose(fc.predict(history, future=ahead)["price"], first["price"])
    with pytest.raises(DataError, match=r"update must have at least lookback \+ horizon = 30"):
        fc.update(df.iloc[:20])
