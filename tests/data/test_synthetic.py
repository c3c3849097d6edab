"""The generated long-memory tasks: shapes, seeds, and the trivial losses they promise."""

import math

import pytest
import torch

from seqlab.data.synthetic import (
    ADDING_TRIVIAL_MSE,
    adding_problem,
    copy_memory,
    copy_trivial_loss,
)
from seqlab.errors import ConfigError


def test_adding_marks_two_distinct_steps_and_sums_their_values():
    x, y = adding_problem(500, 30, seed=3)
    assert x.shape == (500, 30, 2) and y.shape == (500, 1)
    mask = x[..., 1]
    assert torch.equal(mask.sum(1), torch.full((500,), 2.0))
    assert set(mask.unique().tolist()) == {0.0, 1.0}
    assert torch.allclose((x[..., 0] * mask).sum(1, keepdim=True), y)
    # anywhere in the sequence (the TCN repository's variant): both halves, and the same half
    first = mask.argmax(1)
    last = mask.shape[1] - 1 - mask.flip(1).argmax(1)
    assert ((first < 15) & (last >= 15)).any() and ((first < 15) & (last < 15)).any()


def test_adding_trivial_mse_is_one_sixth():
    _, y = adding_problem(200_000, 4, seed=0)
    assert pytest.approx(1 / 6) == ADDING_TRIVIAL_MSE
    assert ((y - 1.0) ** 2).mean().item() == pytest.approx(1 / 6, abs=2e-3)


def test_seeds_repeat_and_differ():
    a, _ = adding_problem(8, 10, seed=1)
    b, _ = adding_problem(8, 10, seed=1)
    c, _ = adding_problem(8, 10, seed=2)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_copy_memory_layout():
    x, y = copy_memory(64, 25, seed=0)
    assert x.shape == y.shape == (64, 45)
    assert ((x[:, :10] >= 1) & (x[:, :10] <= 8)).all()
    assert (x[:, 10:34] == 0).all() and (x[:, 34:] == 9).all()
    assert (y[:, :35] == 0).all() and torch.equal(y[:, 35:], x[:, :10])


def test_copy_trivial_loss_is_the_loss_of_remembering_nothing():
    length = 40
    _, y = copy_memory(2000, length, seed=5)
    # certain of a blank for T + 10 steps, uniform over the 8 digits for the last 10
    logp = torch.full((*y.shape, 10), -1e9)
    logp[:, : length + 10, 0] = 0.0
    logp[:, length + 10 :, 1:9] = math.log(1 / 8)
    loss = torch.nn.functional.nll_loss(logp.transpose(1, 2), y).item()
    assert loss == pytest.approx(copy_trivial_loss(length), rel=1e-6)
    assert copy_trivial_loss(1000) == pytest.approx(10 * math.log(8) / 1020)


def test_bad_length_is_one_sentence():
    with pytest.raises(
        ConfigError,
        match=r"^length of adding_problem must be an integer of at "
        r"least 2; got 1",
    ):
        adding_problem(4, 1)
