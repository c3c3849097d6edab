"""Future-known covariates in the Forecaster: fed for the forecast steps, asked of predict,
generated for the calendar and holidays, each bad input answered with one sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
