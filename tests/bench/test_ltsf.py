"""The LTSF protocol: borders, all test windows, scaled scores — checked on quick runs."""

import numpy as np
import pytest
from typer.testing import CliRunner

import seqlab as sl
from seqlab.bench.ltsf import run_ltsf
from seqlab.cli import app
from seqlab.errors import ConfigError

pytestmark = pytest.mark.usefixtures("ett_files")


def test_quick_run_scores_every_test_window_on_scaled_data():
    r = run_ltsf("ETTh1", "dlinear", horizon=24, lookback=48, quick=True)
    # quick keeps a sixth of each split: test target rows [1920, 2400) -> 480 - 24 + 1 windows
    assert r["test_windows"] == 480 - 24 + 1
    assert r["epochs"] == 1 and np.isfinite(r["mse"]) and 0 < r["mae"] < r["mse"] ** 0.5 * 2


def test_scaled_scores_match_a_direct_computation():
    """Recompute the protocol by hand for the naive forecast: scaler on rows [0, 8640),
    windows whose targets lie in [11520, 14400), errors in scaled units."""
    r = run_ltsf("ETTh1", "naive", horizon=96, lookback=96)
    values = sl.datasets.load("ETTh1").to_numpy()[:14400]
    mean, std = values[:8640].mean(0), values[:8640].std(0)
    z = (values - mean) / std
    starts = np.arange(11520 - 96, 14400 - 96 - 96 + 1)
    last = z[starts + 95]  # (windows, 7)
    errors = [z[s + 96 : s + 192] - last[i] for i, s in enumerate(starts)]
    assert r["test_windows"] == 2881 - 96 == len(starts)
    assert r["mse"] == pytest.approx(float(np.mean(np.square(errors))), rel=1e-9)


def test_unknown_dataset():
    with pytest.raises(ConfigError) as err:
        run_ltsf("ETTx9", "segrnn")
    assert str(err.value) == (
        "dataset of the LTSF benchmark must be one of ETTh1, ETTh2, ETTm1, ETTm2; got 'ETTx9'. "
        "Mind the capitals."
    )


def test_cli_quick(tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "ltsf",
            "--dataset",
            "ETTh1",
            "--horizon",
            "96",
            "--lookback",
            "192",
            "--model",
            "segrnn",
            "--quick",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "quick: not a result" in result.output and out.is_file()
