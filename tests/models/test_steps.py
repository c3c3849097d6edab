"""StepModel: one output per step, computed from that step and the ones before it only."""

import pytest
import torch

from seqlab.models.steps import STEP_KINDS, StepModel


@pytest.mark.parametrize("kind", STEP_KINDS)
def test_outputs_are_causal(kind):
    torch.manual_seed(0)
    net = StepModel(kind, input_size=3, output_size=2, hidden_size=16, length=40).eval()
    x = torch.randn(2, 40, 3)
    changed = x.clone()
    changed[:, 25:] = torch.randn(2, 15, 3)
    a, b = net(x), net(changed)
    assert a.shape == (2, 40, 2)
    assert torch.allclose(a[:, :25], b[:, :25], atol=1e-6)  # the past does not see the future
    assert not torch.allclose(a[:, 25:], b[:, 25:])


@pytest.mark.parametrize("kind", STEP_KINDS)
def test_the_last_step_sees_the_first(kind):
    torch.manual_seed(0)
    net = StepModel(kind, input_size=2, output_size=1, hidden_size=16, length=100).eval()
    x = torch.randn(1, 100, 2, requires_grad=True)
    (grad,) = torch.autograd.grad(net(x)[0, -1].sum(), x)
    assert grad[0, 0].abs().sum() > 0  # a TCN deep enough, a Transformer's causal mask ...


def test_unknown_kind_is_one_sentence():
    with pytest.raises(ValueError, match=r"^kind of StepModel must be one of 'rnn', 'lstm', "):
        StepModel("mamba", 1, 1)
