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
    run_epf,
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


def _market(path: Path, days: int = 90, seed: int = 0) -> pd.DataFrame:
    """A small market of the library's shape: price = 0.5 × load forecast + wind term + noise."""
    rng = np.random.default_rng(seed)
    hours = pd.date_range("2020-01-01", periods=24 * days, freq="h")
    load = 50 + 10 * np.sin(2 * np.pi * hours.hour / 24) + np.cumsum(rng.normal(size=len(hours)))
    wind = rng.gamma(2.0, 2.0, size=len(hours))
    price = 0.5 * load - 2 * wind + rng.normal(scale=0.5, size=len(hours))
    frame = pd.DataFrame({"Date": hours, " Price": price, " Load forecast": load, " Wind": wind})
    frame.to_csv(path, index=False)
    return frame


SMALL = dict(
    test_days=7,
    seeds=1,
    epochs=3,
    hidden_size=16,
    num_layers=1,
    val_days=14,
    patience=None,
    recalibration="none",
)


def assert_last_day_unread(tmp_path: Path, frame: pd.DataFrame, settings: dict, forecast) -> None:
    """The last test day's prices +1000: no forecast moves (none of them may have read it)."""
    frame = frame.copy()
    frame.loc[frame.index[-24:], " Price"] += 1000.0
    changed = tmp_path / "changed.csv"
    frame.to_csv(changed, index=False)
    np.testing.assert_array_equal(run_epf(str(changed), **settings)["forecast"], forecast)


def test_the_day_ahead_run_scores_every_test_hour_and_reads_no_test_price_early(tmp_path):
    path = tmp_path / "market.csv"
    frame = _market(path)
    run = run_epf(str(path), **SMALL)
    assert run["forecast"].shape == (7, 24) and run["test"] == ["2020-03-24", "2020-03-30"]
    assert set(run["rows"]) == {"seqlab", "naive"} and run["dm"] == {}  # nothing published
    truth = frame[" Price"].to_numpy()[-7 * 24 :].reshape(7, 24)
    assert run["rows"]["seqlab"]["mae"] == pytest.approx(np.abs(truth - run["forecast"]).mean())
    assert_last_day_unread(tmp_path, frame, SMALL, run["forecast"])


def test_the_published_forecasts_beside_a_market_file_are_scored_and_tested(tmp_path):
    path = tmp_path / "MKT.csv"
    frame = _market(path)
    hours = frame["Date"].iloc[-7 * 24 :]
    truth = frame[" Price"].iloc[-7 * 24 :].to_numpy()
    published = pd.DataFrame(
        {"": hours, "Real price": truth, "DNN Ensemble": truth + 1.0, "LEAR Ensemble": truth - 2.0}
    )
    published.to_csv(tmp_path / "Forecasts_MKT_DNN_LEAR_ensembles.csv", index=False)
    run = run_epf(str(path), **SMALL)
    assert run["rows"]["DNN Ensemble"]["mae"] == pytest.approx(1.0)
    assert run["rows"]["LEAR Ensemble"]["mae"] == pytest.approx(2.0)
    assert set(run["dm"]) == {"LEAR Ensemble", "DNN Ensemble"}


def test_an_ensemble_forecasts_the_mean_of_its_networks_and_scores_each(tmp_path):
    path = tmp_path / "market.csv"
    _market(path)
    run = run_epf(str(path), **{**SMALL, "model": "dlinear,gru"})
    each = run["member_forecasts"]
    assert list(each) == ["dlinear", "gru"] and set(run["members"]) == {"dlinear", "gru"}
    np.testing.assert_allclose(run["forecast"], (each["dlinear"] + each["gru"]) / 2)
    assert not np.allclose(each["dlinear"], each["gru"])
    alone = run_epf(str(path), **{**SMALL, "model": "dlinear"})
    np.testing.assert_allclose(alone["forecast"], each["dlinear"], rtol=1e-6)
    assert run["members"]["dlinear"]["mae"] == pytest.approx(alone["rows"]["seqlab"]["mae"])


def test_a_validation_period_before_the_test_part_reads_nothing_from_it(tmp_path):
    path = tmp_path / "market.csv"
    frame = _market(path)
    run = run_epf(str(path), **{**SMALL, "before": "2020-03-24"})
    assert run["test"] == ["2020-03-17", "2020-03-23"]
    frame.loc[frame["Date"] >= "2020-03-24", " Price"] += 1000.0
    changed = tmp_path / "changed.csv"
    frame.to_csv(changed, index=False)
    later = run_epf(str(changed), **{**SMALL, "before": "2020-03-24"})
    np.testing.assert_array_equal(later["forecast"], run["forecast"])
    with pytest.raises(DataError, match=r"before must be a date such as 2016-12-27; got 'soon'"):
        run_epf(str(path), **{**SMALL, "before": "soon"})


def test_an_ensemble_naming_a_network_outside_the_zoo_gets_one_sentence(tmp_path):
    path = tmp_path / "market.csv"
    _market(path)
    with pytest.raises(DataError, match=r"got 'nbeats,lgbm' \('lgbm' is not one\)\. Pick from"):
        run_epf(str(path), **{**SMALL, "model": "nbeats,lgbm"})


def test_a_market_that_is_neither_named_nor_a_file_gets_one_sentence():
    with pytest.raises(
        DataError, match=r"market of seqlab bench epf must be NP, PJM, BE or a file"
    ):
        run_epf("XY")


def test_seqlab_bench_epf_on_a_file_of_that_shape_prints_and_writes_the_scores(tmp_path):
    from typer.testing import CliRunner

    from seqlab.cli import app

    path = tmp_path / "market.csv"
    _market(path, days=420)  # the default validation year and a month to train on
    out = tmp_path / "r.json"
    args = ["bench", "epf", "--market", str(path), "--model", "nbeats,dlinear", "--seeds", "1"]
    args += ["--epochs", "2"]
    args += ["--test-days", "8", "--recalibration", "weekly", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # as rich wrapped it
    assert "nbeats,dlinear (seqlab)" in text and "naive" in text and "1 recalibrations" in text
    assert "nbeats alone" in text and "dlinear alone" in text
    saved = __import__("json").loads(out.read_text())
    assert saved["updates"] == 1 and len(saved["days"]) == 8 and "forecast" not in saved
    assert set(saved["members"]) == {"nbeats", "dlinear"} and "member_forecasts" not in saved


def test_the_default_ensemble_is_the_one_chosen_on_validation():
    import inspect
    import json

    from seqlab.bench.epf import ENSEMBLE
    from seqlab.cli.bench import epf

    results = Path(__file__).parents[2] / "benchmarks" / "results" / "epf.json"
    chosen = json.loads(results.read_text())["selection"]["chosen"]
    assert ",".join(chosen) == ENSEMBLE
    assert inspect.signature(epf).parameters["model"].default == ENSEMBLE
