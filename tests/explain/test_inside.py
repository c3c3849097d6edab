"""Gates, attention and positions, read from a fitted forecaster on its own input."""

import numpy as np
import pytest
import torch

import seqlab as sl
from seqlab.errors import ConfigError
from seqlab.explain.inside import (
    attention_weights,
    encoder_input,
    position_similarity,
    recurrent_gates,
)
from seqlab.nn import Recurrent


def _fitted(model, **extra):
    df = sl.datasets.load("airpassengers")
    fc = sl.Forecaster(
        model=model,
        target="passengers",
        lookback=12,
        horizon=3,
        hidden_size=8,
        num_layers=2,
        epochs=1,
        device="cpu",
        **extra,
    )
    return fc.fit(df), df


def test_the_hook_sees_the_scaled_last_window():
    fc, df = _fitted("lstm")
    _, x = encoder_input(fc, df, Recurrent)
    expected = fc.scaler_.transform(df[fc.columns_].to_numpy()[-12:])
    assert x.shape == (1, 12, 1)
    assert np.allclose(x[0].numpy(), expected, atol=1e-6)


@pytest.mark.parametrize(("model", "gates"), [("lstm", ["i", "f", "o"]), ("gru", ["r", "z"])])
def test_gates_per_layer_unit_and_step(model, gates):
    fc, df = _fitted(model)
    layers = recurrent_gates(fc, df)
    assert len(layers) == 2 and list(layers[0]) == gates
    for g in gates:
        v = layers[1][g]
        assert v.shape == (8, 12) and (v >= 0).all() and (v <= 1).all()


def test_gates_are_the_cells_own_on_the_same_input():
    fc, df = _fitted("gru")
    layer, x = encoder_input(fc, df, Recurrent)
    with torch.no_grad():
        h0 = torch.zeros(1, 8)
        w = [
            getattr(layer.rnn, f"{n}_l0") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        ]
        _, gates = sl.nn.gru_step(x[:, 0], h0, *w)
    assert np.allclose(recurrent_gates(fc, df)[0]["z"][:, 0], gates["z"][0].numpy(), atol=1e-6)


def test_a_model_without_gates_is_one_sentence():
    fc, df = _fitted("dlinear")
    with pytest.raises(ConfigError, match=r"^model of the saved forecaster must be lstm or gru"):
        recurrent_gates(fc, df)


def test_attention_rows_sum_to_one_per_head_and_layer():
    fc, df = _fitted("transformer")
    layers = attention_weights(fc, df)
    assert len(layers) == 2 and layers[0].shape == (4, 12, 12)
    assert np.allclose(layers[1].sum(-1), 1.0, atol=1e-5)


def test_position_dot_products_depend_on_the_distance_alone():
    pe, dots = position_similarity(50, 16)
    assert pe.shape == (50, 16) and dots.shape == (50, 50)
    assert np.allclose(np.diag(dots), 8.0)  # d/2: sin² + cos² per pair
    for delta in (1, 7, 20):
        assert np.allclose(np.diag(dots, delta), dots[0, delta])
