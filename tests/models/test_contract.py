"""Contract over the whole registry: fit → predict → save → load → identical predict, and a
per-model error bound on the bundled sine series."""

import numpy as np
import pandas as pd
import pytest
import torch

import seqlab as sl
from seqlab.models import BASELINES, REGISTRY, Shape, build

NEURAL = [name for name in REGISTRY if name not in BASELINES]
SMALL = {
    "lookback": 20,
    "horizon": 5,
    "hidden_size": 16,
    "epochs": 20,
    "lr": 1e-2,
    "batch_size": 64,
    "season_length": 7,
}


@pytest.fixture(scope="module")
def sine():
    return sl.datasets.load("sine")


@pytest.fixture(scope="module")
def mean_rmse(sine):
    return sl.Forecaster(model="mean", **SMALL).fit(sine).evaluate(sine).metrics["rmse"]


# AutoARIMA's order search takes half a minute on this series: tests/models/test_statistical.py
# runs it on a shorter one.
@pytest.mark.parametrize("name", [name for name in REGISTRY if name != "arima"])
def test_fit_predict_save_load_predict(name, sine, tmp_path, mean_rmse):
    fc = sl.Forecaster(model=name, **SMALL)
    assert fc.fit(sine) is fc
    future = fc.predict(sine)
    assert list(future.columns) == ["value"] and len(future) == 5
    assert future.index[0] == sine.index[-1] + pd.Timedelta(days=1)
    assert np.isfinite(future.to_numpy()).all()

    loaded = sl.Forecaster.load(fc.save(tmp_path / name))
    pd.testing.assert_frame_equal(loaded.predict(sine), future)

    rmse = fc.evaluate(sine).metrics["rmse"]
    if name in NEURAL:
        assert rmse < mean_rmse * 0.8, f"{name} should beat the window mean on a sine"
    assert rmse < 0.3  # noise is 0.1; a naive step on this sine costs ~0.13


def _window():
    # one window of a target (column 0) and a feature (column 1), L = 6
    return torch.tensor([[[1.0, 9], [2, 9], [4, 9], [3, 9], [5, 9], [7, 9]]])


def _baseline(name, horizon=3, season=1):
    shape = Shape(
        lookback=6,
        horizon=horizon,
        input_size=2,
        output_size=1,
        target_index=(0,),
        season_length=season,
    )
    return build(name, shape)


def test_baselines_by_their_formulas():
    x = _window()
    assert _baseline("naive")(x)[0, :, 0].tolist() == [7, 7, 7]
    assert _baseline("mean")(x)[0, :, 0].tolist() == pytest.approx([11 / 3] * 3)
    assert _baseline("drift")(x)[0, :, 0].tolist() == pytest.approx([8.2, 9.4, 10.6])
    # season 2: steps 1, 2, 3 copy the values 2, 1, 2 steps back from the end: 5, 7, 5
    assert _baseline("seasonal_naive", season=2)(x)[0, :, 0].tolist() == [5, 7, 5]


def test_every_neural_model_has_parameters_and_the_baselines_none():
    shape = Shape(lookback=20, horizon=5, input_size=2, output_size=1, target_index=(0,))
    params = sl.Forecaster().get_params()
    for name in REGISTRY:
        model = build(name, shape, common=params)
        n = sum(p.numel() for p in model.parameters())
        assert (n > 0) == (name in NEURAL), name
        assert model(torch.randn(3, 20, 2)).shape == (3, 5, 1)
