"""Gradients through time: the unrolled network is the fused one, and ‖∂L/∂h_k‖ is the
backward chain of one-step Jacobians."""

import numpy as np
import pytest
import torch

from seqlab.explain.gradients import decay_slope, gradient_study, state_gradients, unrolled
from seqlab.models.steps import StepModel


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("layers", [1, 2])
def test_the_unrolled_cells_give_the_fused_output(kind, layers):
    torch.manual_seed(0)
    net = StepModel(kind, 3, 2, hidden_size=8, num_layers=layers).eval()
    x = torch.randn(4, 15, 3)
    out, states = unrolled(net, x)
    assert len(states) == 15 and len(states[0]) == layers
    assert torch.allclose(out, net(x)[:, -1], atol=1e-6)


def test_rnn_state_gradients_are_the_chain_of_jacobians():
    torch.manual_seed(1)
    net = StepModel("rnn", 2, 1, hidden_size=5).double().eval()
    x, y = torch.randn(1, 6, 2).double(), torch.randn(1, 1).double()
    norms = state_gradients(net, x, y, lambda o, t: ((o - t) ** 2).sum())
    with torch.no_grad():
        out, states = unrolled(net, x)
    w = net.backbone.rnn.weight_hh_l0
    g = 2 * (out - y) @ net.head.weight  # ∂L/∂h at the last step, (1, H)
    expected = [g.norm().item()]
    for t in range(5, 0, -1):  # back through h_t = tanh(... + W h_{t-1})
        g = (g * (1 - states[t][0] ** 2)) @ w
        expected.append(g.norm().item())
    assert np.allclose(norms, expected, rtol=1e-10)


@pytest.mark.parametrize("kind", ["transformer", "tcn", "gru"])
def test_state_gradients_have_one_norm_per_step(kind):
    torch.manual_seed(0)
    net = StepModel(kind, 2, 1, hidden_size=8, length=30)
    norms = state_gradients(
        net, torch.randn(3, 30, 2), torch.randn(3, 1), lambda o, t: ((o - t) ** 2).sum()
    )
    assert norms.shape == (30,) and (norms >= 0).all() and norms[0] > 0


def test_decay_slope_reads_a_geometric_decay():
    assert decay_slope(0.5 ** np.arange(40.0)) == pytest.approx(np.log10(0.5))
    assert decay_slope(np.array([1.0, 0.0, 0.0])) != decay_slope(np.array([1.0, 0.0, 0.0]))  # nan


def test_gradient_study_rows():
    rows = gradient_study(["rnn", "transformer"], length=12, steps=2, batch=4)
    assert [(r["model"], r["condition"]) for r in rows] == [
        ("rnn", "init"),
        ("rnn", "trained (clip 1)"),
        ("rnn", "trained (no clip)"),
        ("transformer", "init"),
        ("transformer", "trained (clip 1)"),
        ("transformer", "trained (no clip)"),
    ]
    assert rows[0]["val_mse"] is None and rows[1]["val_mse"] > 0
    assert all(r["norms"].shape == (12,) for r in rows)
