"""Generated long-memory tasks: the adding problem and copy memory, seeded and vectorised.

Both are the variants of the TCN repository [3], the ones Bai, Kolter and Koltun score in
their Table 1 [3]; each has a known "trivial" loss, the loss of the best model that
remembers nothing, so a result reads as a fraction of it.

.. [1] Hochreiter & Schmidhuber (1997). Long Short-Term Memory. Neural Computation 9(8).
       (The adding problem, experiment 4.)
.. [2] Arjovsky, Shah & Bengio (2016). Unitary Evolution Recurrent Neural Networks. ICML.
       arXiv:1511.06464. (Copy memory in this form.)
.. [3] Bai, Kolter & Koltun (2018). An Empirical Evaluation of Generic Convolutional and
       Recurrent Networks for Sequence Modeling. arXiv:1803.01271;
       https://github.com/locuslab/TCN (``adding_problem/utils.py``, ``copy_memory/utils.py``).

where:
    N  sequences    T  the task's length parameter    M  digits to remember (10)
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from seqlab.errors import Rule, check, positive_int

__all__ = [
    "ADDING_TRIVIAL_MSE",
    "COPY_CLASSES",
    "adding_problem",
    "copy_memory",
    "copy_trivial_loss",
]

# Always answering 1, the mean of U(0,1) + U(0,1), scores its variance: 2 · 1/12.
ADDING_TRIVIAL_MSE = 1 / 6
COPY_CLASSES = 10  # 0 blank, 1-8 the digits, 9 the delimiter


def adding_problem(n: int, length: int, seed: int = 0) -> tuple[Tensor, Tensor]:
    """N sequences of T steps with two channels: values drawn from U(0, 1), and a mask that
    is 1 at two distinct steps anywhere in the sequence (the TCN repository's variant; the
    original puts one mark in each half). The target is the sum of the two marked values.

    Returns x (N, T, 2) float32 and y (N, 1) float32.

    Example:
        >>> x, y = adding_problem(4, 50, seed=0)
        >>> x.shape, y.shape, x[..., 1].sum(1).tolist()
        (torch.Size([4, 50, 2]), torch.Size([4, 1]), [2.0, 2.0, 2.0, 2.0])
    """
    two = Rule("an integer of at least 2", lambda v: isinstance(v, int) and v >= 2)
    check("adding_problem", {"n": positive_int(), "length": two}, {"n": n, "length": length})
    g = torch.Generator().manual_seed(seed)
    values = torch.rand(n, length, generator=g)
    # Two distinct steps per row: the first two of a random permutation, drawn as argsort.
    marks = torch.rand(n, length, generator=g).argsort(dim=1)[:, :2]  # (N, 2)
    mask = torch.zeros(n, length).scatter_(1, marks, 1.0)
    y = values.gather(1, marks).sum(1, keepdim=True)
    return torch.stack([values, mask], dim=-1), y


def copy_memory(n: int, length: int, seed: int = 0, memory: int = 10) -> tuple[Tensor, Tensor]:
    """N sequences of T + 2M steps: M digits from 1-8, T - 1 blanks (0), then M + 1 nines
    (the first is the delimiter). The target is blank everywhere but the last M steps,
    which repeat the M digits.

    Returns x and y, both (N, T + 2M) long, values in 0-9.

    Example:
        >>> x, y = copy_memory(1, 5, seed=0, memory=3)
        >>> x.shape, bool((y[0, -3:] == x[0, :3]).all()), x[0, 3:].tolist()
        (torch.Size([1, 11]), True, [0, 0, 0, 0, 9, 9, 9, 9])
    """
    check(
        "copy_memory",
        {"n": positive_int(), "length": positive_int(), "memory": positive_int()},
        {"n": n, "length": length, "memory": memory},
    )
    g = torch.Generator().manual_seed(seed)
    digits = torch.randint(1, 9, (n, memory), generator=g)
    blanks = torch.zeros(n, length - 1, dtype=torch.long)
    nines = torch.full((n, memory + 1), 9, dtype=torch.long)
    x = torch.cat([digits, blanks, nines], dim=1)  # (N, T + 2M)
    y = torch.cat([torch.zeros(n, memory + length, dtype=torch.long), digits], dim=1)
    return x, y


def copy_trivial_loss(length: int, memory: int = 10) -> float:
    """The mean cross-entropy (nats) of the model that remembers nothing: certain of a blank
    for the first T + M steps, uniform over the 8 digits for the last M: M ln 8 / (T + 2M).

    Example:
        >>> round(copy_trivial_loss(1000), 5)
        0.02039
    """
    return memory * math.log(8) / (length + 2 * memory)
