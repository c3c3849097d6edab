"""`seqlab forecast --id-col`, `seqlab predict --levels` and `seqlab bench m4`, through typer's
CliRunner, on a small long table."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqlab.cli import app

runner = CliRunner()
QUICK = ["--models", "dlinear", "--lookback", "14", "--horizon", "7", "--epochs", "2"]


def sales(stores=6, seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(stores):
        n = int(rng.integers(60, 90))
        t = np.arange(n)
        units = 20 + i + 5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, n)
        parts.append(
            pd.DataFrame(
                {"store": f"s{i}", "date": pd.date_range("2024-01-01", periods=n), "units": units}
            )
        )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("panel")
    data = folder / "sales.csv"
    sales().to_csv(data, index=False)
    out = folder / "run"
    args = [
        "forecast",
        "--data",
        str(data),
        "--id-col",
        "store",
        "--time-col",
        "date",
        "--target",
        "units",
        *QUICK,
        "--out",
        str(out),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return data, out, result.output


def test_forecast_on_many_series_aggregates_over_series(run):
    _, out, output = run
    board = pd.read_csv(out / "leaderboard.csv", index_col="model")
    assert set(board.index) == {"dlinear", "naive", "drift", "seasonal_naive", "naive2"}
    assert board.loc["naive2", "owa"] == pytest.approx(1.0)
    assert board["wins"].sum() == 6  # every series won by one model
    assert list(board["owa"]) == sorted(board["owa"])
    for name in ("series_grid.png", "error_distribution.png", "loss_curves.png", "report.html"):
        assert (out / name).stat().st_size > 1000, name
    report = (out / "report.html").read_text()
    assert "Sample series with their bands" in report and "Error distribution" in report
    future = pd.read_csv(out / "forecast.csv")
    assert {"store", "date", "dlinear", "dlinear-lo-95", "naive2-hi-80"} <= set(future.columns)
    assert len(future) == 6 * 7
    assert "Leaderboard: every series' last 7 rows" in output and "wins" in output
    assert json.loads((out / "config.json").read_text())["id_col"] == "store"


def test_predict_writes_every_series_with_bands(run, tmp_path):
    data, out, _ = run
    target = tmp_path / "next.csv"
    result = runner.invoke(
        app,
        [
            "predict",
            "--from",
            str(out / "dlinear"),
            "--data",
            str(data),
            "--levels",
            "80,95",
            "--out",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    future = pd.read_csv(target, parse_dates=["date"])
    assert list(future.columns) == [
        "store",
        "date",
        "dlinear",
        "dlinear-lo-80",
        "dlinear-hi-80",
        "dlinear-lo-95",
        "dlinear-hi-95",
    ]
    ends = sales().groupby("store")["date"].max()
    assert (future.groupby("store")["date"].min() - ends == pd.Timedelta(days=1)).all()
    assert "next 7 steps of 6 series" in result.output


def _error(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_bad_long_input_is_one_sentence_naming_the_series(tmp_path):
    def forecast(df, *extra):
        path = tmp_path / "bad.csv"
        df.to_csv(path, index=False)
        return _error(
            [
                "forecast",
                "--data",
                str(path),
                "--time-col",
                "date",
                "--target",
                "units",
                *QUICK,
                "--out",
                str(tmp_path / "r"),
                *extra,
            ]
        )

    good = sales()
    dup = pd.concat([good, good[good["store"] == "s2"].iloc[[3]]])
    assert "got series 's2' twice at 2024-01-04" in forecast(dup, "--id-col", "store")
    one = good[good["store"] == "s0"]
    assert "must hold at least two series; got one, 's0'" in forecast(one, "--id-col", "store")
    assert "id_col of the long data must name a column; got 'shop'" in forecast(
        good, "--id-col", "shop"
    )
    hourly = good[good["store"] == "s1"].assign(
        store="h1",
        date=pd.date_range("2024-01-01", periods=int((good["store"] == "s1").sum()), freq="h"),
    )
    mixed = pd.concat([good[good["store"] != "s1"], hourly])
    assert "got series 'h1' stepping 0 days 01:00:00 where the others step 1 days" in forecast(
        mixed, "--id-col", "store"
    )


def test_bench_m4_quick(tmp_path):
    out = tmp_path / "m4.json"
    result = runner.invoke(
        app,
        ["bench", "m4", "--frequency", "weekly", "--model", "naive", "--quick", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    r = json.loads(out.read_text())
    assert r["series"] == 40 and r["quick"] is True
    assert "Smyl, ES-RNN (winner)" in result.output and "(quick: not a result)" in result.output


def test_future_covariates_of_many_series_on_the_command_line(tmp_path):
    rng = np.random.default_rng(0)
    parts, ahead = [], []
    for i in range(4):
        promo = (rng.random(97) < 0.3).astype(float)
        dates = pd.date_range("2024-01-01", periods=97)
        units = 20 + i + 6 * promo[:90] + rng.normal(0, 0.5, 90)
        parts.append(pd.DataFrame({"store": f"s{i}", "date": dates[:90], "units": units}))
        parts[-1]["promo"] = promo[:90]
        ahead.append(pd.DataFrame({"store": f"s{i}", "date": dates[90:], "promo": promo[90:]}))
    data, future = tmp_path / "sales.csv", tmp_path / "promos.csv"
    pd.concat(parts).to_csv(data, index=False)
    pd.concat(ahead).to_csv(future, index=False)
    args = ["forecast", "--data", str(data), "--id-col", "store", "--time-col", "date"]
    args += ["--target", "units", "--future-features", "promo", *QUICK]
    blind = tmp_path / "blind"  # without --future: scored, but no forecast past the data
    assert runner.invoke(app, [*args, "--out", str(blind)]).exit_code == 0
    assert "dlinear" not in pd.read_csv(blind / "forecast.csv").columns
    assert "dlinear: no forecast past the data" in (blind / "report.html").read_text()
    out = tmp_path / "run"
    result = runner.invoke(app, [*args, "--future", str(future), "--out", str(out)])
    assert result.exit_code == 0, result.output
    board = pd.read_csv(out / "leaderboard.csv", index_col="model")
    assert board.loc["dlinear", "inputs"] == "past: units, promo; future: promo"
    assert {"dlinear", "naive2"} <= set(pd.read_csv(out / "forecast.csv").columns)
    model = str(out / "dlinear")
    again = runner.invoke(app, ["predict", "--from", model, "--data", str(data)])
    assert again.exit_code != 0 and "for every series" in again.output
    target = tmp_path / "next.csv"
    args = ["predict", "--from", model, "--data", str(data), "--future", str(future)]
    assert runner.invoke(app, [*args, "--out", str(target)]).exit_code == 0
    assert len(pd.read_csv(target)) == 4 * 7
