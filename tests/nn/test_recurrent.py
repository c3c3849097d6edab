"""The contract that keeps the docstrings honest: cells backend == fused backend."""

import itertools

import pytest
import torch

from seqlab.errors import ConfigError, ShapeError
from seqlab.nn import Recurrent

TOL = {torch.float32: 1e-5, torch.float64: 1e-10}
GRID = list(
    itertools.product(
        ["rnn", "lstm", "gru"], [1, 2], [False, True], [False, True], [torch.float32, torch.float64]
    )
)


def _pair(kind, num_layers, bidirectional, dtype, **kw):
    torch.manual_seed(0)
    fused = Recurrent(kind, 3, 5, num_layers, bidirectional, **kw).to(dtype)
    cells = Recurrent(kind, 3, 5, num_layers, bidirectional, backend="cells", **kw).to(dtype)
    cells.load_state_dict(fused.state_dict())
    return fused, cells


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def _run(layer, x, lengths, weights):
    x = x.detach().clone().requires_grad_(True)
    out, state = layer(x, lengths=lengths)
    # A weighted sum, so every output and state element gets its own gradient.
    loss = (out * weights).sum() + sum((s**2).sum() for s in _flat(state))
    layer.zero_grad()
    loss.backward()
    grads = {name: p.grad.clone() for name, p in layer.named_parameters()}
    return out, _flat(state), x.grad, grads


@pytest.mark.parametrize(("kind", "num_layers", "bidirectional", "use_lengths", "dtype"), GRID)
def test_cells_backend_matches_fused(kind, num_layers, bidirectional, use_lengths, dtype):
    fused, cells = _pair(kind, num_layers, bidirectional, dtype)
    x = torch.randn(4, 7, 3, dtype=dtype)
    lengths = torch.tensor([7, 3, 5, 1]) if use_lengths else None
    weights = torch.randn(4, 7, fused.output_size, dtype=dtype)
    a, b = _run(fused, x, lengths, weights), _run(cells, x, lengths, weights)
    tol = TOL[dtype]
    torch.testing.assert_close(a[0], b[0], atol=tol, rtol=tol)  # outputs
    for sa, sb in zip(a[1], b[1], strict=True):  # final states
        torch.testing.assert_close(sa, sb, atol=tol, rtol=tol)
    torch.testing.assert_close(a[2], b[2], atol=tol, rtol=tol)  # input gradient
    assert a[3].keys() == b[3].keys()
    for name in a[3]:  # weight gradients
        torch.testing.assert_close(a[3][name], b[3][name], atol=tol, rtol=tol)


@pytest.mark.parametrize("backend", ["fused", "cells"])
def test_lengths_give_each_sequence_its_own_last_state(backend):
    """A padded batch must give the same state as running each sequence alone, unpadded."""
    torch.manual_seed(0)
    layer = Recurrent("gru", 3, 5, num_layers=2, bidirectional=True, backend=backend).double()
    x = torch.randn(3, 6, 3, dtype=torch.float64)
    lengths = [6, 2, 4]
    out, h = layer(x, lengths=lengths)
    for i, n in enumerate(lengths):
        alone_out, alone_h = layer(x[i : i + 1, :n])
        torch.testing.assert_close(out[i, :n], alone_out[0])
        torch.testing.assert_close(h[:, i], alone_h[:, 0])
        assert (out[i, n:] == 0).all()


def test_state_is_carried_between_calls():
    torch.manual_seed(0)
    fused, cells = _pair("lstm", 2, False, torch.float64)
    x = torch.randn(2, 8, 3, dtype=torch.float64)
    whole, _ = fused(x)
    _, state = cells(x[:, :5])
    rest, _ = cells(x[:, 5:], state)
    torch.testing.assert_close(rest, whole[:, 5:])


def test_sequence_first_layout():
    torch.manual_seed(0)
    fused, cells = _pair("gru", 1, True, torch.float64, batch_first=False)
    x = torch.randn(6, 2, 3, dtype=torch.float64)  # (L, N, H_in)
    (a, ha), (b, hb) = fused(x, lengths=[6, 4]), cells(x, lengths=[6, 4])
    assert a.shape == (6, 2, 10)
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(ha, hb)


def test_state_dict_matches_torch_layer_names():
    layer = Recurrent("lstm", 3, 5, num_layers=2, bidirectional=True)
    ref = torch.nn.LSTM(3, 5, 2, bidirectional=True, batch_first=True)
    assert {k.removeprefix("rnn.") for k in layer.state_dict()} == set(ref.state_dict())


def test_dropout_between_layers_only_when_training():
    torch.manual_seed(0)
    layer = Recurrent("lstm", 3, 5, num_layers=2, dropout=0.5, backend="cells")
    x = torch.randn(2, 4, 3)
    layer.eval()
    assert torch.equal(layer(x)[0], layer(x)[0])
    layer.train()
    assert not torch.equal(layer(x)[0], layer(x)[0])


def test_gates_per_layer_and_direction():
    layer = Recurrent("lstm", 3, 5, num_layers=2, bidirectional=True, backend="cells")
    out, (h, _), gates = layer(torch.randn(2, 4, 3), return_gates=True)
    assert out.shape == (2, 4, 10) and h.shape == (4, 2, 5)
    assert len(gates) == 4
    assert set(gates[0]) == {"i", "f", "g", "o"}
    assert gates[3]["o"].shape == (2, 4, 5)


def test_gates_need_the_cells_backend():
    with pytest.raises(ConfigError) as err:
        Recurrent("gru", 3, 5)(torch.randn(1, 2, 3), return_gates=True)
    assert str(err.value) == (
        "return_gates of Recurrent must be used with backend='cells'; got backend='fused'. "
        "Build the layer with backend='cells' to see gates."
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"kind": "transformer"},
            "kind of Recurrent must be one of 'rnn', 'lstm', 'gru'; got 'transformer'. "
            "Pick one of the listed values.",
        ),
        (
            {"backend": "cuda"},
            "backend of Recurrent must be one of 'fused', 'cells'; got 'cuda'. "
            "Pick one of the listed values.",
        ),
        (
            {"dropout": 1.0},
            "dropout of Recurrent must be in [0, 1); got 1.0. Use 0 for no dropout.",
        ),
        (
            {"dropout": -0.1},
            "dropout of Recurrent must be in [0, 1); got -0.1. Use 0 for no dropout.",
        ),
        ({"num_layers": 0}, "num_layers of Recurrent must be a positive integer; got 0."),
    ],
)
def test_bad_construction_is_one_sentence(kwargs, expected):
    args = {"kind": "lstm", "input_size": 3, "hidden_size": 5} | kwargs
    with pytest.raises(ConfigError) as err:
        Recurrent(**args)
    assert str(err.value) == expected


def test_wrong_rank_is_one_sentence():
    with pytest.raises(ShapeError) as err:
        Recurrent("lstm", 3, 5)(torch.randn(7, 3))
    assert str(err.value) == (
        "input of Recurrent must be a 3-D tensor (N, L, H_in); got shape (7, 3). "
        "Add a batch dimension with x.unsqueeze(0) for one sequence."
    )


def test_wrong_feature_size_is_one_sentence():
    with pytest.raises(ShapeError) as err:
        Recurrent("gru", 3, 5, backend="cells")(torch.randn(2, 7, 4))
    assert str(err.value) == (
        "input of Recurrent must have input_size=3 features in its last dimension; got shape "
        "(2, 7, 4). Build the layer with input_size=4 or select the right columns."
    )


def test_bad_lengths_are_one_sentence():
    with pytest.raises(ShapeError) as err:
        Recurrent("gru", 3, 5)(torch.randn(2, 7, 3), lengths=[7, 8])
    assert str(err.value) == (
        "lengths of Recurrent must hold one length in [1, 7] per sequence (2); got [7, 8]. "
        "Pass the true length of each padded sequence."
    )


def test_bad_state_shape_is_one_sentence():
    with pytest.raises(ShapeError) as err:
        Recurrent("gru", 3, 5, num_layers=2)(torch.randn(2, 7, 3), torch.zeros(1, 2, 5))
    assert str(err.value) == (
        "state of Recurrent must have shape (2, 2, 5) (D*num_layers, N, H_out); got (1, 2, 5). "
        "Pass the state this layer returned."
    )


@pytest.mark.parametrize(
    ("kind", "bidirectional"), list(itertools.product(["rnn", "lstm", "gru"], [False, True]))
)
def test_lengths_on_cpu_match_torch_packed_sequences(kind, bidirectional):
    """The CPU path runs stretches between distinct lengths instead of packing; outputs,
    states (from a given initial state) and gradients must be torch's packed results."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    torch.manual_seed(0)
    layer = Recurrent(kind, 3, 5, num_layers=2, bidirectional=bidirectional).double()
    x = torch.randn(6, 9, 3, dtype=torch.float64)
    lengths = torch.tensor([4, 9, 1, 4, 7, 2])
    h0 = torch.randn(layer.num_directions * 2, 6, 5, dtype=torch.float64)
    state = (h0, torch.randn_like(h0)) if kind == "lstm" else h0
    weights = torch.randn(6, 9, layer.output_size, dtype=torch.float64)

    def run(packed):
        xi = x.clone().requires_grad_(True)
        if packed:
            seq = pack_padded_sequence(xi, lengths, batch_first=True, enforce_sorted=False)
            out, s = layer.rnn(seq, state)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=9)
        else:
            out, s = layer(xi, state, lengths=lengths)
        s = _flat(s)
        loss = (out * weights).sum() + sum((part**2).sum() for part in s)
        return [out, *s, *torch.autograd.grad(loss, [xi, *layer.parameters()])]

    for ours, torch_packed in zip(run(False), run(True), strict=True):
        torch.testing.assert_close(ours, torch_packed)


@pytest.mark.parametrize(
    ("kind", "bidirectional", "batch_first"),
    [("lstm", True, True), ("gru", True, False), ("rnn", False, True), ("lstm", False, False)],
)
def test_outputs_alone_match_forward_values_and_gradients(kind, bidirectional, batch_first):
    """Recurrent.outputs runs the whole padded batch in one call per layer and direction (each
    row reversed within its length for the right-to-left one); its outputs and the gradients
    through them must be forward's, for 19 rows (padded to 32 inside) of mixed lengths."""
    torch.manual_seed(0)
    layer = Recurrent(kind, 3, 5, num_layers=2, bidirectional=bidirectional)
    layer.batch_first = batch_first
    layer = layer.double()
    lengths = torch.tensor([4, 9, 1, 4, 7, 2, 9, 3, 8, 5, 6, 1, 2, 9, 4, 3, 7, 7, 5])
    x = torch.randn(19, 9, 3, dtype=torch.float64)
    weights = torch.randn(19, 9, layer.output_size, dtype=torch.float64)
    if not batch_first:
        x, weights = x.transpose(0, 1), weights.transpose(0, 1)

    def run(alone):
        xi = x.clone().requires_grad_(True)
        out = layer.outputs(xi, lengths) if alone else layer(xi, lengths=lengths)[0]
        return [out, *torch.autograd.grad((out * weights).sum(), [xi, *layer.parameters()])]

    for ours, reference in zip(run(True), run(False), strict=True):
        torch.testing.assert_close(ours, reference)


def test_outputs_read_the_final_h_of_the_last_layer():
    """TextEncoder reads the last layer's final h off the outputs: left to right at each
    row's last step, right to left at its first; both must be forward's state."""
    torch.manual_seed(1)
    layer = Recurrent("lstm", 3, 4, num_layers=2, bidirectional=True).double()
    lengths = torch.tensor([5, 2, 7])
    x = torch.randn(3, 7, 3, dtype=torch.float64)
    out = layer.outputs(x, lengths)
    h = layer(x, lengths=lengths)[1][0]  # (D*layers, N, H)
    torch.testing.assert_close(out[torch.arange(3), lengths - 1, :4], h[-2])
    torch.testing.assert_close(out[:, 0, 4:], h[-1])
