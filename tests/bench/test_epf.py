"""EPF: the files read as the library writes them, the naive forecast and the published
forecasts' MAE reproduced to three decimals on all three markets, the DM test's behaviour."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqlab.bench.epf import (
    MARKETS,
    TEST_DAYS,
    dm_test,
    epf_scores,
    naive_day_ahead,
    read_epf,
    read_published,
)
from seqlab.errors import DataError


def _epf_root() -> Path:
    root = Path(os.environ["SEQLAB_DATA_DIR"]) / "epf"
    if not (root / "NP.csv").exists():
        pytest.skip(f"EPF files not found in {root}")
    return root


@pytest.mark.parametrize("market", sorted(MARKETS))
def test_the_published_maes_are_reproduced_from_the_files(market):
    root = _epf_root()
    data = read_epf(root / f"{market}.csv")
    published = read_published(root / f"Forecasts_{market}_DNN_LEAR_ensembles.csv")
    days = pd.DatetimeIndex(data.index.normalize().unique())[-TEST_DAYS:]
    assert days[0] == published.index[0] and len(published) == 24 * TEST_DAYS
    naive = naive_day_ahead(data["price"], days)
    truth = data["price"].loc[naive.index].to_numpy()
    np.testing.assert_allclose(published["Real price"].to_numpy(), truth, atol=1e-9)
    assert round(epf_scores(truth, naive, naive)["mae"], 3) == MARKETS[market]["naive"]
    for name in ("LEAR Ensemble", "DNN Ensemble"):
        scores = epf_scores(truth, published[name].to_numpy(), naive.to_numpy())
        assert round(scores["mae"], 3) == MARKETS[market][name]
        assert scores["rmae"] == pytest.approx(scores["mae"] / MARKETS[market]["naive"], 1e-3)
    # the paper's finding on these markets: the DNN ensemble is significantly better
    assert dm_test(truth, published["LEAR Ensemble"], published["DNN Ensemble"]) < 0.05


def _csv(tmp_path: Path, hours: int, header: str = "Date, Price, Load forecast") -> Path:
    rows = "".join(
        f"{t:%Y-%m-%d %H:%M:%S},{i % 24}.5,{1000 + i}\n"
        for i, t in enumerate(pd.date_range("2021-03-01", periods=hours, freq="h"))
    )
    path = tmp_path / f"{hours}-{header.split(',')[1].strip()}.csv"
    path.write_text(header + "\n" + rows)
    return path


def test_the_library_headers_with_their_leading_spaces_are_read(tmp_path):
    frame = read_epf(_csv(tmp_path, 48))
    assert frame.columns.tolist() == ["price", "Load forecast"]
    assert frame.index[0] == pd.Timestamp("2021-03-01") and frame["price"].iloc[25] == 1.5
    named = read_epf(_csv(tmp_path, 48, "Date, Spot, Load forecast"), price="Spot")
    assert named["price"].iloc[3] == 3.5
    with pytest.raises(DataError, match=r"'Price' is not in the file .* pass one of them as price"):
        read_epf(_csv(tmp_path, 48, "Date, Spot, Load forecast"), price="Price")
    with pytest.raises(DataError, match="whole days of 24 hours; this one has 30 rows, 6 past"):
        read_epf(_csv(tmp_path, 30))


def test_the_naive_forecast_takes_the_week_before_on_mondays_and_weekends():
    hours = pd.date_range("2021-03-01", periods=24 * 15, freq="h")  # 2021-03-01 is a Monday
    prices = pd.Series(np.arange(len(hours), dtype=float), index=hours)
    days = pd.date_range("2021-03-08", periods=7, freq="D")  # Monday .. Sunday
    naive = naive_day_ahead(prices, days)
    first_hours = naive.iloc[::24].to_numpy()
    back = np.array([7, 1, 1, 1, 1, 7, 7])  # Mon, Tue..Fri, Sat, Sun
    np.testing.assert_array_equal(first_hours, (np.arange(7, 14) - back) * 24.0)
    with pytest.raises(DataError, match="naive forecast of 2021-03-01 needs the 24 prices"):
        naive_day_ahead(prices, pd.DatetimeIndex(["2021-03-01"]))


def test_the_dm_test_is_one_sided_and_matches_its_formula():
    rng = np.random.default_rng(1)
    truth = rng.normal(size=(50, 24))
    a = truth + rng.normal(scale=1.0, size=truth.shape)
    b = truth + rng.normal(scale=0.9, size=truth.shape)
    p = dm_test(truth, a, b)
    assert p + dm_test(truth, b, a) == pytest.approx(1.0)
    d = np.abs(truth - a).sum(1) - np.abs(truth - b).sum(1)
    z = d.mean() / np.sqrt(d.var() / len(d))
    from statistics import NormalDist

    assert p == pytest.approx(1 - NormalDist().cdf(z), abs=1e-12)
    assert dm_test(truth, a, a) == 0.5
    with pytest.raises(DataError, match="norm must be 1 or 2"):
        dm_test(truth, a, b, norm=3)
