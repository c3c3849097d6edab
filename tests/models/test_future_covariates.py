"""Every trainable model of the zoo reads future-known covariates: built with F > 0 it takes
them as a second input, its forecast depends on them, and it learns a target that only they
explain (the window alone cannot)."""

from __future__ import annotations

import pytest
import torch

from seqlab.errors import ConfigError
from seqlab.models import BASELINES, REGISTRY, Shape, build

NETWORKS = [name for name in REGISTRY if name not in BASELINES]
SMALL = {"segrnn": {"patch_len": 4}, "patchtst": {"patch_len": 4}}


def _shape(future: int) -> Shape:
    return Shape(
        lookback=16, horizon=6, input_size=2, output_size=1, target_index=(0,), future_size=future
    )


def _model(name: str, future: int, **kwargs: object) -> torch.nn.Module:
    torch.manual_seed(0)
    common = {"hidden_size": 32, "num_layers": 2, "dropout": 0.0}
    return build(name, _shape(future), common=common, model_params=SMALL.get(name), **kwargs)


@pytest.mark.parametrize("name", NETWORKS)
def test_each_step_of_the_forecast_reads_the_covariates_of_that_step(name):
    model = _model(name, 3).eval()
    x, future = torch.randn(4, 16, 2), torch.randn(4, 6, 3, requires_grad=True)
    y = model(x, future)
    assert y.shape == (4, 6, 1)
    y[:, 2].sum().backward()
    assert future.grad is not None and future.grad[:, 2].abs().sum() > 0


@pytest.mark.parametrize("name", NETWORKS)
def test_without_its_covariates_a_model_built_for_them_says_so(name):
    with pytest.raises(ConfigError, match=r"future of the .* model must be the future covariates"):
        _model(name, 3)(torch.randn(2, 16, 2))


@pytest.mark.parametrize(
    "name", ["gru", "transformer", "nbeats", "tcn", "dlinear", "segrnn", "patchtst"]
)
def test_a_target_made_by_the_covariates_is_learned(name):
    """y_{t+h} = 2·f_{t+h}, f white noise known ahead, every sample the same window: from the
    window alone the best forecast is 0 (MSE 4); with the covariates it is exact."""
    torch.manual_seed(1)
    n = 256
    f = torch.randn(n, 6, 1)
    window = torch.randn(1, 16, 2)
    x = window.expand(n, -1, -1)
    target = 2 * f
    model = _model(name, 1)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x, f), target)
        loss.backward()
        opt.step()
    model.eval()
    f_new = torch.randn(128, 6, 1)
    with torch.no_grad():
        mse = torch.nn.functional.mse_loss(model(window.expand(128, -1, -1), f_new), 2 * f_new)
    assert mse < 0.4, f"{name}: {mse:.3f} (0 known nothing: 4)"


def test_the_wrappers_pass_the_covariates_on():
    x, future = torch.randn(3, 16, 2), torch.randn(3, 6, 3)
    for kwargs in ({"revin": True}, {"channel_independent": True}, {"series": (5, 4)}):
        model = _model("gru", 3, **kwargs).eval()
        args = (x, torch.tensor([0, 1, 4]), future) if "series" in kwargs else (x, future)
        y = model(*args)
        changed = model(*args[:-1], future + 1)
        assert y.shape[:2] == (3, 6) and not torch.allclose(y, changed)


def test_a_baseline_ignores_the_covariates():
    model = _model("naive", 3)
    x = torch.randn(2, 16, 2)
    assert torch.equal(model(x, torch.randn(2, 6, 3)), model(x))
