"""The CRF against brute force: every tag sequence of tiny inputs enumerated."""

import itertools

import pytest
import torch

from seqlab.nn.crf import LinearChainCRF


def _brute_score(crf, e, y):
    s = crf.start[y[0]] + e[0, y[0]]
    for t in range(1, len(y)):
        s = s + crf.transitions[y[t - 1], y[t]] + e[t, y[t]]
    return s + crf.end[y[-1]]


@pytest.mark.parametrize("lengths", [[3, 3], [4, 2], [1, 3]])
def test_partition_score_and_viterbi_match_enumeration(lengths):
    torch.manual_seed(0)
    k, length = 3, max(lengths)
    crf = LinearChainCRF(k).double()
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    e = torch.randn(len(lengths), length, k, dtype=torch.float64)
    mask = torch.arange(length)[None, :] < torch.tensor(lengths)[:, None]
    log_z = crf.log_partition(e, mask)
    paths = crf.decode(e, mask)
    for i, n in enumerate(lengths):
        every = {y: _brute_score(crf, e[i], y) for y in itertools.product(range(k), repeat=n)}
        scores = torch.stack(list(every.values()))
        torch.testing.assert_close(log_z[i], torch.logsumexp(scores, 0))
        assert tuple(paths[i]) == max(every, key=lambda y: every[y].item())
        y = torch.tensor(paths[i] + [0] * (length - n))
        score = crf.score(e[i : i + 1], y[None], mask[i : i + 1])[0]
        torch.testing.assert_close(score, every[tuple(paths[i])])


def test_likelihoods_of_all_sequences_sum_to_one():
    torch.manual_seed(1)
    crf = LinearChainCRF(2).double()
    e = torch.randn(1, 3, 2, dtype=torch.float64)
    mask = torch.ones(1, 3, dtype=torch.bool)
    total = sum(
        crf.log_likelihood(e, torch.tensor([y]), mask).exp()
        for y in itertools.product(range(2), repeat=3)
    )
    torch.testing.assert_close(total, torch.ones(1, dtype=torch.float64))


def test_constrained_decoding_returns_the_best_allowed_path():
    torch.manual_seed(2)
    crf = LinearChainCRF(3).double()
    e = torch.randn(1, 4, 3, dtype=torch.float64)
    mask = torch.ones(1, 4, dtype=torch.bool)
    allowed = torch.ones(1, 4, 3, dtype=torch.bool)
    allowed[0, 1] = False
    allowed[0, 1, 2] = True  # step 1 must take tag 2
    every = {y: _brute_score(crf, e[0], y) for y in itertools.product(range(3), repeat=4)}
    best = max((y for y in every if y[1] == 2), key=lambda y: every[y].item())
    assert tuple(crf.decode(e, mask, allowed)[0]) == best


def test_training_lowers_the_negative_log_likelihood():
    torch.manual_seed(3)
    crf = LinearChainCRF(3)
    e = torch.randn(8, 5, 3)
    tags = torch.randint(0, 3, (8, 5))
    mask = torch.ones(8, 5, dtype=torch.bool)
    opt = torch.optim.SGD(crf.parameters(), lr=0.5)
    first = -crf.log_likelihood(e, tags, mask).mean()
    for _ in range(30):
        loss = -crf.log_likelihood(e, tags, mask).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first.item()
