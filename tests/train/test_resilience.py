"""Runs that survive a kill, a signal, a NaN; bf16. The kills are real signals sent to a
training subprocess (tests/train/scripts/fit_windows.py)."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from seqlab.data.windows import Windows, WindowSet
from seqlab.errors import CheckpointError, NumericsError
from seqlab.train import TrainConfig, Trainer

SCRIPT = Path(__file__).parent / "scripts" / "fit_windows.py"


def _fit(out, *options):
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(out), *options],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _same_run(a, b):
    """Bitwise-equal weights and an equal history (but for the seconds each epoch took)."""
    wa, wb = load_file(a / "rank0.safetensors"), load_file(b / "rank0.safetensors")
    assert wa.keys() == wb.keys()
    for k in wa:
        assert torch.equal(wa[k], wb[k]), k
    ha, hb = (json.loads((x / "rank0.json").read_text()) for x in (a, b))
    strip = lambda h: [{k: v for k, v in row.items() if k != "seconds"} for row in h]  # noqa: E731
    assert strip(ha) == strip(hb)
    assert len(ha) == 4


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("plain")
    assert _fit(out).returncode == 0
    return out


def test_sigkill_mid_epoch_then_resume_gives_the_same_weights_and_history(uninterrupted, tmp_path):
    ckpt = tmp_path / "checkpoint.safetensors"
    # 15 batches and 1 validation gather an epoch: the 40th is batch 8 of epoch 3.
    killed = _fit(tmp_path / "x", "--kill", "40", "--checkpoint", str(ckpt))
    assert killed.returncode == -9
    assert ckpt.exists() and not (tmp_path / "x").exists()
    resumed = _fit(tmp_path / "x", "--resume", str(ckpt))
    assert resumed.returncode == 0, resumed.stderr
    _same_run(uninterrupted, tmp_path / "x")


def test_sigterm_finishes_the_step_writes_the_checkpoint_and_says_how_to_resume(
    uninterrupted, tmp_path
):
    ckpt = tmp_path / "checkpoint.safetensors"
    stopped = _fit(tmp_path / "x", "--term", "25", "--checkpoint", str(ckpt))  # batch 9
    assert stopped.returncode == 143
    assert "training stopped by SIGTERM" in stopped.stdout
    assert "resumes it from the end of step 9 of epoch 2" in stopped.stdout
    resumed = _fit(tmp_path / "x", "--resume", str(ckpt))
    assert resumed.returncode == 0, resumed.stderr
    _same_run(uninterrupted, tmp_path / "x")  # mid-epoch: the order and RNGs as they were


def _windows(n=300, poison=False):
    g = torch.Generator().manual_seed(0)
    x = torch.sin(torch.arange(float(n)) / 8).unsqueeze(1) + 0.1 * torch.randn(n, 1, generator=g)
    if poison:
        x[100] = 1e30  # squares to inf in the loss
    w = Windows(x, [0], 16, 2)
    return WindowSet(w, torch.arange(0, 200)), WindowSet(w, torch.arange(200, 280))


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2), nn.Unflatten(1, (2, 1))
    )


def test_a_checkpoint_of_other_data_or_settings_is_refused_in_one_sentence(tmp_path):
    train, val = _windows()
    ckpt = tmp_path / "c.safetensors"
    Trainer(TrainConfig(epochs=1)).fit(_mlp(), train, val, checkpoint=ckpt)
    other, _ = _windows(n=301)
    with pytest.raises(CheckpointError, match=r"written for other data \(fingerprint") as err:
        Trainer(TrainConfig(epochs=1)).fit(_mlp(), other, val, resume=ckpt)
    assert str(err.value).count(". ") == 1  # one sentence and its fix
    with pytest.raises(CheckpointError, match="written for other settings"):
        Trainer(TrainConfig(epochs=1, lr=0.01)).fit(_mlp(), train, val, resume=ckpt)
    with pytest.raises(CheckpointError, match="must name an existing checkpoint"):
        Trainer(TrainConfig(epochs=1)).fit(_mlp(), train, val, resume=tmp_path / "none")


def test_a_nan_loss_stops_with_epoch_and_batch_and_keeps_the_last_good_weights():
    train, _ = _windows(poison=True)
    clean_val = _windows()[1]
    model = _mlp()
    with pytest.raises(NumericsError, match=r"the loss became inf at epoch 1, batch \d+ of 7"):
        Trainer(TrainConfig(epochs=3, batch_size=32, verbose=True)).fit(model, train, clean_val)
    assert all(torch.isfinite(p).all() for p in model.parameters())  # the last good weights


def test_verbose_names_the_first_non_finite_parameter():
    train, val = _windows()
    model = _mlp()
    with torch.no_grad():
        model[1].weight[0, 0] = math.nan
    with pytest.raises(NumericsError, match=r"first non-finite parameter is 1\.weight"):
        Trainer(TrainConfig(epochs=1, verbose=True)).fit(model, train, val)
    with pytest.raises(NumericsError) as quiet:
        Trainer(TrainConfig(epochs=1)).fit(model, train, val)
    assert "parameter" not in str(quiet.value)


def test_a_forecaster_never_returns_a_silent_nan_forecast():
    import seqlab as sl

    df = sl.datasets.load("sine")
    fc = sl.Forecaster(model="dlinear", lookback=24, horizon=3, epochs=1).fit(df)
    with torch.no_grad():
        next(fc.model_.parameters()).fill_(math.nan)
    with pytest.raises(NumericsError, match="forecasts of the dlinear Forecaster must be finite"):
        fc.predict(df)


def test_bf16_autocast_trains_close_to_fp32():
    train, val = _windows()
    losses = {}
    for precision in ("fp32", "bf16"):
        model = _mlp()
        result = Trainer(TrainConfig(epochs=3, precision=precision)).fit(model, train, val)
        losses[precision] = result.history[-1]["val_loss"]
        assert all(p.dtype == torch.float32 for p in model.parameters())  # weights stay fp32
    assert losses["bf16"] == pytest.approx(losses["fp32"], rel=0.1)
    assert losses["bf16"] != losses["fp32"]  # it did run in bf16
