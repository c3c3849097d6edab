"""BPTT by hand equals autograd through torch's fused RNN, and the per-step factors are
the norms of the true one-step Jacobians."""

import numpy as np
import pytest
import torch

from seqlab.explain.bptt import Elman, autograd_gradients, backward, forward, step_factors


@pytest.mark.parametrize(("scale", "hidden", "length"), [(0.5, 4, 7), (1.0, 16, 50), (3.0, 8, 30)])
def test_hand_written_gradients_equal_autograd(scale, hidden, length):
    net = Elman.random(3, hidden, 2, scale=scale, seed=1)
    rng = np.random.default_rng(0)
    x, d = rng.normal(size=(length, 3)), rng.normal(size=(length, 2))
    loss, mine = backward(net, x, d)
    ref_loss, ref = autograd_gradients(net, x, d)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    for name in "UWbVc":
        assert mine[name].shape == getattr(net, name).shape
        assert np.abs(mine[name] - ref[name]).max() <= 1e-10, name


def test_the_scale_is_the_largest_singular_value_of_w():
    assert np.linalg.norm(Elman.random(1, 12, 1, scale=2.5).W, 2) == pytest.approx(2.5)


def test_step_factors_are_jacobian_norms_and_the_product_bounds_the_exact_norm():
    net = Elman.random(2, 6, 1, scale=1.5, seed=2)
    x = np.random.default_rng(1).normal(size=(20, 2))
    f = step_factors(net, x)
    h, _ = forward(net, x)

    def step(prev):  # h_t as a function of h_{t-1}, for t = 5
        return torch.tanh(torch.from_numpy(net.U @ x[4] + net.b) + torch.from_numpy(net.W) @ prev)

    jacobian = torch.autograd.functional.jacobian(step, torch.from_numpy(h[4])).numpy()
    assert f["factor"][4] == pytest.approx(np.linalg.norm(jacobian, 2), rel=1e-12)
    assert np.allclose(f["product"], np.cumprod(f["factor"]))
    assert (f["exact"] <= f["product"] * (1 + 1e-12)).all()
    assert (f["factor"] <= 1.5 + 1e-12).all()  # ‖diag(1 - h²) W‖ ≤ ‖W‖
