"""LEAR: the paper's inputs and estimation reproduced from a plain reference and from the
paper's published forecasts, nothing read from the forecast day's prices or later, and its
place among the members of `run_epf`."""

import builtins

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Lasso, LassoLarsIC

from seqlab.bench.epf import TEST_DAYS, read_epf, read_published, run_epf
from seqlab.bench.lear import LEAR
from seqlab.errors import DataError

from .test_epf import SMALL, _epf_root, _market, assert_last_day_unread


def _frame(days: int = 90) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    hours = pd.date_range("2020-01-01", periods=24 * days, freq="h")
    load = 50 + 10 * np.sin(2 * np.pi * hours.hour / 24) + np.cumsum(rng.normal(size=len(hours)))
    wind = rng.gamma(2.0, 2.0, size=len(hours))
    price = 0.5 * load - 2 * wind + rng.normal(scale=0.5, size=len(hours))
    return pd.DataFrame({"price": price, "load": load, "wind": wind}, index=hours)


def _reference(df: pd.DataFrame, day: pd.Timestamp, window: int) -> np.ndarray:
    """The paper's LEAR for one window written out day by day as epftoolbox estimates it:
    247-style inputs, median/MAD asinh scaling, per hour the penalty chosen by AIC along the
    LARS path on centred unit-norm columns, then scikit-learn's plain LASSO at that penalty."""
    by_day = {c: df[c].to_numpy().reshape(-1, 24) for c in df.columns}
    days = list(pd.DatetimeIndex(df.index[::24]))
    d = days.index(day)

    def inputs(i: int) -> np.ndarray:
        parts = [by_day["price"][i - k] for k in (1, 2, 3, 7)]
        for column in ("load", "wind"):
            parts += [by_day[column][i - k] for k in (0, 1, 7)]
        return np.concatenate(parts)

    train = list(range(max(d - window + 7, 7), d))
    x = np.array([inputs(i) for i in train])
    y = by_day["price"][train]
    x_med = np.median(x, axis=0)
    x_mad = np.median(np.abs(x - x_med), axis=0) / 0.6744897501960817
    y_med = np.median(y, axis=0)
    y_mad = np.median(np.abs(y - y_med), axis=0) / 0.6744897501960817
    weekday = np.array([[float(days[i].dayofweek == k) for k in range(7)] for i in [*train, d]])
    design = np.hstack([np.arcsinh((x - x_med) / x_mad), weekday[:-1]])
    row = np.hstack([np.arcsinh((inputs(d) - x_med) / x_mad), weekday[-1]])
    centred = design - design.mean(axis=0)
    unit = centred / np.linalg.norm(centred, axis=0)
    out = []
    for h in range(24):
        target = np.arcsinh((y[:, h] - y_med[h]) / y_mad[h])
        path = LassoLarsIC(criterion="aic", max_iter=2500, noise_variance=np.var(target))
        alpha = path.fit(unit, target).alpha_
        scaled = Lasso(alpha=alpha, max_iter=2500).fit(design, target).predict(row[None])[0]
        out.append(np.sinh(scaled) * y_mad[h] + y_med[h])
    return np.array(out)


@pytest.mark.parametrize(("window", "share"), [(56, 0.7), (1456, 0.3)])
def test_lear_equals_the_paper_model_written_out_day_by_day(window, share):
    df = _frame()
    day = pd.Timestamp("2020-03-20")
    mine = LEAR(df, windows=(window,)).fit(day).predict(day)
    np.testing.assert_allclose(mine, _reference(df, day, window), rtol=1e-7, atol=1e-7)
    truth = df.loc[day : day + pd.Timedelta(hours=23), "price"].to_numpy()
    yesterday = df.loc[day - pd.Timedelta(days=1) : day - pd.Timedelta(hours=1), "price"]
    # the day's load and wind read: well below the naive error (6.2 that day)
    assert np.abs(mine - truth).mean() < share * np.abs(yesterday.to_numpy() - truth).mean()


@pytest.mark.parametrize("window", [1092, 1456])
def test_the_long_windows_reproduce_the_papers_published_forecasts(window):
    root = _epf_root()
    df = read_epf(root / "NP.csv")
    published = read_published(root / "Forecasts_NP_DNN_LEAR_ensembles.csv")
    day = pd.DatetimeIndex(df.index.normalize().unique())[-TEST_DAYS]  # the first test day
    mine = LEAR(df, windows=(window,)).fit(day).predict(day)
    theirs = published.loc[day : day + pd.Timedelta(hours=23), f"LEAR {window}"].to_numpy()
    truth = df.loc[day : day + pd.Timedelta(hours=23), "price"].to_numpy()
    # 0.015-0.016 EUR/MWh apart (measured), under 1/20 of the forecasts' own error that day
    assert np.abs(mine - theirs).mean() < 0.05 * np.abs(theirs - truth).mean()


def test_the_ensemble_is_the_mean_of_its_windows():
    df = _frame()
    day = pd.Timestamp("2020-03-20")
    each = [LEAR(df, windows=(w,)).fit(day).predict(day) for w in (56, 84)]
    both = LEAR(df, windows=(56, 84)).fit(day).predict(day)
    np.testing.assert_allclose(both, np.mean(each, axis=0), rtol=1e-12)
    assert not np.allclose(each[0], each[1])


def test_no_price_of_the_forecast_day_or_later_is_read_but_its_exogenous_values_are():
    df = _frame()
    day = pd.Timestamp("2020-03-20")
    before = LEAR(df, windows=(56,)).fit(day).predict(day)
    later = df.copy()
    later.loc[later.index >= day, "price"] += 1000.0
    np.testing.assert_array_equal(LEAR(later, windows=(56,)).fit(day).predict(day), before)
    moved = df.copy()
    moved.loc[moved.index.normalize() == day, "load"] += 20.0
    assert np.abs(LEAR(moved, windows=(56,)).fit(day).predict(day) - before).max() > 1.0
    blind = LEAR(moved, windows=(56,), exog=False).fit(day).predict(day)
    np.testing.assert_array_equal(blind, LEAR(df, windows=(56,), exog=False).fit(day).predict(day))


def test_bad_input_gets_one_sentence(monkeypatch):
    df = _frame()
    with pytest.raises(DataError, match=r"LEAR needs 24 hourly rows a day from midnight; got 2150"):
        LEAR(df.iloc[10:])
    with pytest.raises(DataError, match=r"call fit\(end\) first"):
        LEAR(df).predict(pd.Timestamp("2020-03-20"))
    with pytest.raises(DataError, match=r"holds 3 usable days; it needs at least 14"):
        LEAR(df).fit(pd.Timestamp("2020-01-11"))
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(DataError, match=r"needs the scikit-learn package.*seqlab\[stats\]"):
        LEAR(df).fit(pd.Timestamp("2020-03-20"))


def test_run_epf_averages_lear_with_the_networks_and_refits_it_at_each_recalibration(tmp_path):
    path = tmp_path / "market.csv"
    frame = _market(path)
    settings = {**SMALL, "model": "dlinear,lear", "recalibration": "weekly", "test_days": 8}
    run = run_epf(str(path), **settings)
    each = run["member_forecasts"]
    np.testing.assert_allclose(run["forecast"], (each["dlinear"] + each["lear"]) / 2)
    assert run["updates"] == 1 and "lear" not in run["settings"]["sizes"]
    df = read_epf(path)
    days = pd.date_range("2020-03-23", periods=8, freq="D")
    model = LEAR(df).fit(days[0])
    first_week = [model.predict(d) for d in days[:7]]
    last = LEAR(df).fit(days[7]).predict(days[7])  # re-estimated on the 8th day
    np.testing.assert_allclose(each["lear"], np.stack([*first_week, last]), rtol=1e-9)
    assert_last_day_unread(tmp_path, frame, settings, run["forecast"])


def test_lear_has_its_own_recalibration_beside_the_networks(tmp_path):
    path = tmp_path / "market.csv"
    _market(path)
    settings = {**SMALL, "model": "dlinear,lear", "test_days": 3, "lear_recalibration": "daily"}
    run = run_epf(str(path), **settings)  # the networks: recalibration "none"
    days = pd.date_range("2020-03-28", periods=3, freq="D")
    df = read_epf(path)
    daily = np.stack([LEAR(df).fit(d).predict(d) for d in days])
    np.testing.assert_allclose(run["member_forecasts"]["lear"], daily, rtol=1e-9)
    assert run["updates"] == 2 and run["lear_recalibration"] == "daily"
    alone = run_epf(str(path), **{**settings, "model": "dlinear"})
    np.testing.assert_array_equal(alone["forecast"], run["member_forecasts"]["dlinear"])
    with pytest.raises(DataError, match=r"lear_recalibration must be one of none, weekly, daily"):
        run_epf(str(path), **{**settings, "lear_recalibration": "hourly"})


def test_seqlab_bench_epf_runs_lear_alone_on_a_file(tmp_path):
    from typer.testing import CliRunner

    from seqlab.cli import app

    path = tmp_path / "market.csv"
    _market(path)
    args = ["bench", "epf", "--market", str(path), "--model", "lear", "--test-days", "3"]
    result = CliRunner().invoke(
        app, [*args, "--recalibration", "none", "--lear-recalibration", "daily"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "lear (seqlab)" in text and "2 recalibrations" in text
