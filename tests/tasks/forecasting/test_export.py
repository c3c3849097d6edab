"""``seqlab export``: ONNX files that onnxruntime runs to the forecaster's numbers, served by
an example that imports neither seqlab nor torch."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from typer.testing import CliRunner

import seqlab as sl
from seqlab.cli import app
from seqlab.errors import ConfigError
from seqlab.tasks.forecasting.export import export

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def df():
    return sl.datasets.load("sine")


@pytest.mark.parametrize("model", ["lstm", "tcn", "dlinear", "transformer"])
def test_onnxruntime_matches_the_forecaster_within_1e5(df, model, tmp_path):
    fc = sl.Forecaster(
        model=model, lookback=24, horizon=3, epochs=1, hidden_size=16, revin=True, seed=0
    ).fit(df)
    fc.save(tmp_path / model)
    path = export(tmp_path / model)
    session = ort.InferenceSession(str(path))
    windows = torch.randn(33, 24, 1, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = fc.model_.cpu()(windows).numpy()
    got = session.run(["y"], {"x": windows.numpy()})[0]
    assert got.shape == want.shape == (33, 3, 1)
    assert np.abs(got - want).max() <= 1e-5


def test_the_cli_exports_and_the_example_serves_without_seqlab_or_torch(df, tmp_path):
    fc = sl.Forecaster(model="gru", lookback=24, horizon=4, epochs=1, hidden_size=16).fit(df)
    fc.save(tmp_path / "gru")
    result = CliRunner().invoke(app, ["export", str(tmp_path / "gru"), "--format", "onnx"])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "gru" / "onnx.json").read_text())
    assert meta["lookback"] == 24 and meta["columns"] == ["value"]
    recent = tmp_path / "recent.csv"
    df.iloc[-50:].to_csv(recent, index_label="date")
    blocked = (
        "import sys, runpy; sys.modules['seqlab'] = None; sys.modules['torch'] = None; "
        f"sys.argv = ['serve', {str(tmp_path / 'gru' / 'model.onnx')!r}, {str(recent)!r}]; "
        f"runpy.run_path({str(ROOT / 'examples' / 'serve_onnx.py')!r}, run_name='__main__')"
    )
    served = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
    assert served.returncode == 0, served.stderr
    values = [float(line.split()[-1]) for line in served.stdout.splitlines()]
    np.testing.assert_allclose(values, fc.predict(df)["value"].to_numpy(), atol=1e-4)


def test_a_baseline_cannot_be_exported(df, tmp_path):
    sl.Forecaster(model="naive", lookback=24, horizon=3).fit(df).save(tmp_path / "naive")
    with pytest.raises(ConfigError, match="must hold a network forecaster of one series"):
        export(tmp_path / "naive")
    with pytest.raises(ConfigError, match="Pass --format onnx"):
        export(tmp_path / "naive", "tflite")


def test_a_model_with_future_covariates_is_refused_in_one_sentence(df, tmp_path):
    fc = sl.Forecaster(model="dlinear", lookback=24, horizon=3, epochs=1, calendar=True)
    fc.fit(df).save(tmp_path / "dlinear")
    with pytest.raises(ConfigError, match=r"future covariates .* ONNX export does not take yet"):
        export(tmp_path / "dlinear")
