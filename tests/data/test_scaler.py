"""The scalers: fitted on the rows given, inverted exactly, saved as plain numbers; the asinh
scaler of electricity prices compresses spikes and refuses long data in one sentence."""

import numpy as np
import pandas as pd
import pytest

import seqlab as sl
from seqlab.data.scaler import Scaler
from seqlab.errors import ConfigError


def test_asinh_is_median_mad_then_asinh_and_inverts_exactly():
    prices = np.array([[30.0], [32.0], [35.0], [31.0], [500.0], [-20.0], [33.0]])
    s = Scaler("asinh").fit(prices)
    median = 32.0
    mad = np.median(np.abs(prices - median)) / 0.6745
    assert s.center.tolist() == [median] and s.scale[0] == pytest.approx(mad)
    z = s.transform(prices)
    np.testing.assert_allclose(z, np.arcsinh((prices - median) / mad))
    np.testing.assert_allclose(s.inverse_transform(z), prices, rtol=1e-12)
    # the spike of 500, 158 MADs out, lands at asinh(158) = 5.75; the small moves stay linear
    assert z[4, 0] == pytest.approx(5.75, abs=0.01)
    assert z[0, 0] == pytest.approx(np.arcsinh(-2 / mad)) and abs(z[0, 0] + 2 / mad) < 0.1
    again = Scaler.from_dict(s.to_dict())
    np.testing.assert_array_equal(again.transform(prices), z)


def test_a_forecaster_with_the_asinh_scaler_forecasts_in_the_data_units(tmp_path):
    rng = np.random.default_rng(0)
    hours = pd.date_range("2024-01-01", periods=600, freq="h")
    price = 40 + 10 * np.sin(2 * np.pi * hours.hour.to_numpy() / 24) + rng.normal(0, 1, 600)
    price[rng.choice(600, 12, replace=False)] += 300  # spikes
    df = pd.DataFrame({"price": price}, index=hours)
    fc = sl.Forecaster(model="dlinear", lookback=48, horizon=24, epochs=3, scaler="asinh")
    out = fc.fit(df).predict(df)
    assert out["price"].between(0, 100).all()  # a daily cycle around 40, not the spikes
    loaded = sl.Forecaster.load(fc.save(tmp_path / "fc"))
    pd.testing.assert_frame_equal(loaded.predict(df), out)


def test_asinh_on_many_series_is_refused_in_one_sentence():
    df = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 60),
            "ds": np.tile(pd.date_range("2024-01-01", periods=60), 2),
            "y": np.arange(120.0),
        }
    )
    fc = sl.Forecaster(model="dlinear", lookback=7, horizon=3, epochs=1, scaler="asinh")
    with pytest.raises(ConfigError, match=r"scaler='asinh' of Forecaster works on one series"):
        fc.fit(df)
