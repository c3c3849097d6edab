import pandas as pd
import pytest

from seqlab import datasets
from seqlab.errors import DataError


@pytest.mark.parametrize(
    ("name", "rows", "first"),
    [
        ("msft", 7983, "1986-03-13"),
        ("airpassengers", 144, "1949-01-01"),
        ("sunspots", 2820, "1749-01-01"),
        ("sine", 1000, "2000-01-01"),
    ],
)
def test_bundled_series_load_offline(name, rows, first):
    df = datasets.load(name)
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.is_monotonic_increasing
    assert len(df) == rows and df.index[0] == pd.Timestamp(first)
    assert df.notna().all().all()


def test_msft_columns():
    assert list(datasets.load("msft").columns) == ["Open", "High", "Low", "Close", "Volume"]


def test_sine_is_seeded_and_follows_its_formula():
    a, b = datasets.load("sine"), datasets.load("sine")
    pd.testing.assert_frame_equal(a, b)
    import numpy as np

    residual = a["value"].to_numpy() - np.sin(0.02 * np.arange(1000))
    assert 0.08 < residual.std() < 0.12


def test_unknown_dataset():
    with pytest.raises(DataError) as err:
        datasets.load("aapl")
    assert str(err.value) == (
        "name of datasets.load must be one of msft, airpassengers, sunspots, sine, ETTh1, ETTh2, "
        "ETTm1, ETTm2; got 'aapl'. "
        "Use seqlab.data.read_table for your own files."
    )


def test_adding_a_series_is_one_registry_row(monkeypatch, tmp_path):
    """One row of DATASETS and the series loads by name, in any case, and seqlab forecast
    runs on it with the row's target."""
    from typer.testing import CliRunner

    from seqlab.cli import app
    from seqlab.config import RunConfig

    frame = datasets.load("sine").rename(columns={"value": "level"})
    monkeypatch.setitem(datasets.DATASETS, "toy", datasets.Dataset(lambda: frame, "level", "a toy"))
    pd.testing.assert_frame_equal(datasets.load("TOY"), frame)
    assert RunConfig(dataset="toy").resolved_target() == "level"
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        ["forecast", "--dataset", "toy", "--models", "dlinear", "--epochs", "1", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert {"dlinear", "naive", "drift"} <= set(pd.read_csv(out / "leaderboard.csv")["model"])
