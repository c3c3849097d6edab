"""The one search every token-emitting task decodes with (seqlab.tasks.search): beam search
against exhaustive search, a beam of one against greedy, the sequence greedy misses, and the
per-step masks a language model's poem forms are made of."""

import itertools
from dataclasses import dataclass

import pytest
import torch

from seqlab.tasks.search import beam_search, greedy_search, length_penalty


@dataclass
class _ChainState:
    memory: torch.Tensor  # (N, 1): only its rows matter

    def select(self, rows):
        return _ChainState(self.memory[rows])


class _Chain:
    """Next-token log-probabilities that depend on the previous token only; token 3 ends."""

    def __init__(self, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.table = torch.randn(5, 5, generator=g).log_softmax(-1)

    def step(self, token, state, return_weights=False):
        weights = torch.ones(len(token), 1) if return_weights else None
        return self.table[token].clone(), state, weights


def _exhaustive(chain, bos, eos, max_len, alpha):
    """Every output of at most max_len tokens (ended by eos, or cut at max_len), scored."""
    best = []
    for length in range(1, max_len + 1):
        for seq in itertools.product(range(5), repeat=length):
            if eos in seq[:-1] or any(t in (0, bos) for t in seq):
                continue
            logp, prev = 0.0, bos
            for t in seq:
                logp += float(chain.table[prev, t])
                prev = t
            if seq[-1] != eos and length < max_len:
                continue
            best.append((logp / length_penalty(length, alpha), list(seq)))
    return sorted(best, key=lambda b: -b[0])


@pytest.mark.parametrize("alpha", [0.0, 0.6, 1.0])
def test_beam_search_wide_enough_finds_the_exhaustive_n_best(alpha):
    chain = _Chain(seed=3)
    state = _ChainState(torch.zeros(2, 1))
    found = beam_search(
        chain,
        state,
        lengths=[1, 1],
        bos=1,
        eos=3,
        max_len=4,
        beams=40,
        alpha=alpha,
        n_best=3,
        banned=[0, 1],
    )
    want = _exhaustive(chain, 1, 3, 4, alpha)[:3]
    for hyps in found:  # both sources alike
        assert [round(h.score, 5) for h in hyps] == [round(s, 5) for s, _ in want]
        for h, (_, seq) in zip(hyps, want, strict=True):
            assert h.tokens == [t for t in seq if t != 3]


def test_beam_of_one_is_greedy_and_greedy_stops_each_row_at_its_end():
    chain = _Chain(seed=5)
    state = _ChainState(torch.zeros(3, 1))
    common = {"lengths": [1, 1, 1], "bos": 1, "eos": 3, "max_len": 6, "banned": [0, 1]}
    greedy = greedy_search(chain, state, **common, return_weights=True)
    beam = beam_search(chain, state, **common, beams=1, alpha=0.0)
    for g, b in zip(greedy, beam, strict=True):
        assert g.tokens == b[0].tokens
        assert g.log_prob == pytest.approx(b[0].log_prob, abs=1e-6)
        assert g.attention.shape == (len(g.tokens) + (len(g.tokens) < 6), 1)


@dataclass
class _Prefixes:
    """A language model's state in miniature: the tokens each row has emitted."""

    rows: list[tuple[int, ...]]

    def select(self, rows):
        return _Prefixes([self.rows[int(r)] for r in rows])


# step 1: a (0.6) or b (0.4); after a: x or y (0.5 each); after b: z (0.99). Token 5 would
# end a text and is never likely.
TABLE = {(): [0.6, 0.4, 0, 0, 0, 0], (0,): [0, 0, 0.5, 0.5, 0, 0], (1,): [0, 0, 0, 0, 0.99, 0]}


class _Table:
    def step(self, tokens, state, return_weights=False):
        rows = [() if t == -1 else (*h, int(t)) for h, t in zip(state.rows, tokens, strict=True)]
        logp = torch.stack([torch.tensor(TABLE[r]) + 1e-9 for r in rows]).log()
        return logp, _Prefixes(rows), None


def test_beam_search_finds_the_sequence_greedy_misses():
    common = {"lengths": [0], "bos": -1, "eos": 5, "max_len": 2, "alpha": 0.6}
    assert beam_search(_Table(), _Prefixes([()]), beams=1, **common)[0][0].tokens == [0, 2]
    assert beam_search(_Table(), _Prefixes([()]), beams=2, **common)[0][0].tokens == [1, 4]


def test_masks_decide_what_each_step_may_emit():
    """A form as masks: step 0 only a or b, step 1 only y — the search keeps to them even
    where the model prefers another token."""
    allow = [torch.tensor([True, True, False, False, False, False])]
    allow.append(torch.tensor([False, False, False, True, False, False]))
    found = beam_search(
        _Table(), _Prefixes([()]), lengths=[0], bos=-1, eos=5, max_len=2, beams=3, masks=allow
    )
    assert found[0][0].tokens == [0, 3]
    greedy = greedy_search(
        _Table(), _Prefixes([()]), lengths=[0], bos=-1, eos=5, max_len=2, masks=allow
    )
    assert greedy[0].tokens == [0, 3]
