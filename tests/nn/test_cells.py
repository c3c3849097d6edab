"""The cells from the equations against torch's own cells: same state_dict, same numbers."""

import pytest
import torch

import seqlab.nn as snn

PAIRS = [
    (snn.RNNCell, torch.nn.RNNCell, {}),
    (snn.RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
    (snn.LSTMCell, torch.nn.LSTMCell, {}),
    (snn.GRUCell, torch.nn.GRUCell, {}),
]


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


@pytest.mark.parametrize(("ours", "theirs", "kwargs"), PAIRS)
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_torch_cell(ours, theirs, kwargs, bias):
    torch.manual_seed(0)
    ref = theirs(3, 5, bias=bias, **kwargs).double()
    cell = ours(3, 5, bias=bias, **kwargs).double()
    cell.load_state_dict(ref.state_dict())
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    if ours is snn.LSTMCell:
        hx = (torch.randn(4, 5, dtype=torch.float64), torch.randn(4, 5, dtype=torch.float64))
    else:
        hx = torch.randn(4, 5, dtype=torch.float64)
    got, want = _as_tuple(cell(x, hx)), _as_tuple(ref(x, hx))
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b, atol=1e-12, rtol=1e-12)
    # Gradients flow through the same equations.
    sum(g.sum() for g in got).backward()
    grads = [p.grad.clone() for p in cell.parameters()]
    x_grad = x.grad.clone()
    x.grad = None
    sum(w.sum() for w in want).backward()
    torch.testing.assert_close(x_grad, x.grad, atol=1e-12, rtol=1e-12)
    for a, p in zip(grads, ref.parameters(), strict=True):
        torch.testing.assert_close(a, p.grad, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize(("ours", "theirs", "kwargs"), PAIRS)
def test_cell_parameter_names_and_shapes_are_torchs(ours, theirs, kwargs):
    got = {k: v.shape for k, v in ours(3, 5, **kwargs).state_dict().items()}
    want = {k: v.shape for k, v in theirs(3, 5, **kwargs).state_dict().items()}
    assert got == want


def test_cells_accept_unbatched_input_and_default_state():
    torch.manual_seed(0)
    ref = torch.nn.LSTMCell(3, 5)
    cell = snn.LSTMCell(3, 5)
    cell.load_state_dict(ref.state_dict())
    x = torch.randn(3)
    h, c = cell(x)
    assert h.shape == (5,) and c.shape == (5,)
    torch.testing.assert_close(h, ref(x)[0])


def test_lstm_gates_recompute_the_state():
    torch.manual_seed(0)
    cell = snn.LSTMCell(3, 5)
    x, h0, c0 = torch.randn(2, 3), torch.randn(2, 5), torch.randn(2, 5)
    (h, c), g = cell(x, (h0, c0), return_gates=True)
    assert set(g) == {"i", "f", "g", "o"}
    for name in "ifo":  # sigmoid gates lie in (0, 1)
        assert ((g[name] > 0) & (g[name] < 1)).all()
    torch.testing.assert_close(c, g["f"] * c0 + g["i"] * g["g"])
    torch.testing.assert_close(h, g["o"] * torch.tanh(c))


def test_gru_gates_recompute_the_state():
    torch.manual_seed(0)
    cell = snn.GRUCell(3, 5)
    x, h0 = torch.randn(2, 3), torch.randn(2, 5)
    h, g = cell(x, h0, return_gates=True)
    assert set(g) == {"r", "z", "n"}
    torch.testing.assert_close(h, (1 - g["z"]) * g["n"] + g["z"] * h0)


def test_rnn_cell_returns_its_state_as_its_activation():
    cell = snn.RNNCell(3, 5, nonlinearity="relu")
    h, g = cell(torch.randn(2, 3), return_gates=True)
    assert (h >= 0).all()
    assert torch.equal(g["h"], h)


def test_cell_rejects_wrong_rank():
    with pytest.raises(ValueError) as err:
        snn.GRUCell(3, 5)(torch.randn(2, 4, 3))
    assert str(err.value) == (
        "input of GRUCell must be a 1-D (H_in) or 2-D (N, H_in) tensor; got shape (2, 4, 3). "
        "Feed one time step at a time."
    )


def test_cell_rejects_wrong_feature_size():
    with pytest.raises(ValueError) as err:
        snn.LSTMCell(3, 5)(torch.randn(2, 4))
    assert str(err.value) == (
        "input of LSTMCell must have 3 features in its last dimension; got shape (2, 4). "
        "Match input_size to the data."
    )


def test_rnn_cell_rejects_unknown_nonlinearity():
    with pytest.raises(ValueError) as err:
        snn.RNNCell(3, 5, nonlinearity="sigmoid")
    assert str(err.value) == (
        "nonlinearity of RNNCell must be one of 'tanh', 'relu'; got 'sigmoid'. "
        "Pick one of the listed values."
    )
