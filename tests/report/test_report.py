"""The run and its report are separate: run_forecast returns plain results, and the report
is drawn from them alone, in words that follow the data."""

import dataclasses

import pytest
from matplotlib.figure import Figure

from seqlab.config import RunConfig
from seqlab.errors import ConfigError
from seqlab.estimator import Estimator
from seqlab.report import plots, write_run
from seqlab.report.html import describes_daily_prices, verdict
from seqlab.tasks.forecasting.experiment import run_forecast


@pytest.fixture(scope="module")
def sine_run():
    return run_forecast(RunConfig(dataset="sine", models=["dlinear"], epochs=2, lookback=20))


def test_the_result_is_plain_data(sine_run):
    for field in dataclasses.fields(sine_run):
        value = getattr(sine_run, field.name)
        values = value.values() if isinstance(value, dict) else [value]
        assert not any(isinstance(v, Estimator) for v in values), field.name
    assert sine_run.out is None  # nothing written without a folder
    assert set(sine_run.leaderboard.index) == {"naive", "drift", "dlinear"}
    assert sine_run.leaderboard["rmse"].is_monotonic_increasing
    assert sine_run.loss == "mse" and set(sine_run.histories) == {"dlinear"}


def test_the_report_is_drawn_from_the_result_alone(sine_run, tmp_path):
    files = write_run(sine_run, tmp_path / "report")
    names = sorted(p.name for p in files.values())
    assert names == [
        "error_by_step.png",
        "forecast_future.png",
        "forecast_test.png",
        "loss_curves.png",
        "report.html",
    ]
    page = (tmp_path / "report" / "report.html").read_text()
    assert "Forecasting value" in page and "daily prices" not in page
    with pytest.raises(ConfigError, match=r"^out of seqlab.report.write_run must be given"):
        write_run(sine_run)


def test_the_verdict_speaks_of_prices_only_for_daily_price_data(sine_run):
    assert describes_daily_prices("Close", "B") and describes_daily_prices("adj close", "D")
    assert not describes_daily_prices("Close", "MS")  # monthly closes: not "tomorrow"
    assert not describes_daily_prices("value", "D")
    words = verdict(sine_run)
    if not sine_run.neural_beats_naive():
        assert "the last value, repeated" in words and "prices" not in words
    prices = dataclasses.replace(sine_run, target="Close", freq="B")
    prices.leaderboard = sine_run.leaderboard.assign(skill=-1.0)
    assert "on daily prices that is the common, honest outcome" in verdict(prices)
    other = dataclasses.replace(prices, target="load")
    assert "prices" not in verdict(other) and "tomorrow" not in verdict(other)


@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_the_loss_axis_names_the_loss_trained(sine_run, tmp_path, loss, monkeypatch):
    seen = {}
    original = Figure.savefig

    def keep(fig, *args, **kwargs):
        seen["ylabel"] = fig.axes[0].get_ylabel()
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    plots.loss_curves(sine_run.histories, tmp_path / "loss.png", loss)
    assert seen["ylabel"] == f"{loss.upper()} on scaled data"
