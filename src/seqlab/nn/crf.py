r"""A linear-chain conditional random field, from its equations.

.. [1] Lafferty, McCallum & Pereira (2001). Conditional Random Fields: Probabilistic Models for
       Segmenting and Labeling Sequence Data. ICML.
.. [2] Huang, Xu & Yu (2015). Bidirectional LSTM-CRF Models for Sequence Tagging.
       arXiv:1508.01991 (the emissions come from a BiLSTM).

A tagger that picks each tag on its own can output "b b" or "m" after "s"; a CRF scores whole
tag sequences, so transitions that never happen in training get low scores.

    score(x, y) = start[y_1] + Σ_{t=1}^{L} E[t, y_t] + Σ_{t=2}^{L} T[y_{t-1}, y_t] + end[y_L]
    p(y | x)    = exp(score(x, y)) / Z(x),   Z(x) = Σ_{y'} exp(score(x, y'))

log Z comes from the forward algorithm, the best sequence from Viterbi, both O(L K²):

    α_1(j) = start[j] + E[1, j]
    α_t(j) = logsumexp_i(α_{t-1}(i) + T[i, j]) + E[t, j]
    log Z  = logsumexp_j(α_L(j) + end[j])
    δ_t(j) = max_i(δ_{t-1}(i) + T[i, j]) + E[t, j]    (and remember the argmax i)

where:
    N  batch    L  length (padded)    K  tags
    E  emissions (N, L, K), from the encoder    T  transitions (K, K), T[i, j] = score of i → j
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from seqlab.errors import check, positive_int

__all__ = ["LinearChainCRF"]


class LinearChainCRF(nn.Module):
    """Transition, start and end scores over ``num_tags`` tags; log-likelihood and Viterbi.

    Padded batches: ``mask`` (N, L) is True on real steps, which must come first in each row
    (right padding), with at least one per row.

    Example:
        >>> crf = LinearChainCRF(4)
        >>> emissions = torch.randn(2, 5, 4)
        >>> mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]).bool()
        >>> nll = -crf.log_likelihood(emissions, torch.zeros(2, 5).long(), mask).mean()
        >>> [len(p) for p in crf.decode(emissions, mask)]
        [5, 3]
    """

    def __init__(self, num_tags: int) -> None:
        super().__init__()
        check("LinearChainCRF", {"num_tags": positive_int()}, {"num_tags": num_tags})
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags).uniform_(-0.1, 0.1))
        self.start = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1))
        self.end = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1))

    def score(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """score(x, y) of the given tag sequences, (N,)."""
        n = emissions.shape[0]
        m = mask.to(emissions.dtype)
        rows = torch.arange(n, device=emissions.device)
        emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)  # E[t, y_t], (N, L)
        moved = self.transitions[tags[:, :-1], tags[:, 1:]]  # T[y_{t-1}, y_t], (N, L-1)
        s = self.start[tags[:, 0]] + (emitted * m).sum(1) + (moved * m[:, 1:]).sum(1)
        last = tags[rows, mask.sum(1) - 1]  # each row's last real tag
        return s + self.end[last]

    def log_partition(self, emissions: Tensor, mask: Tensor) -> Tensor:
        """log Z(x) by the forward algorithm, (N,)."""
        alpha = self.start + emissions[:, 0]  # (N, K)
        for t in range(1, emissions.shape[1]):
            # (N, K, 1) + (K, K) → (N, K, K); logsumexp over the previous tag i
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)  # padding: hold α
        return torch.logsumexp(alpha + self.end, dim=1)

    def log_likelihood(self, emissions: Tensor, tags: Tensor, mask: Tensor) -> Tensor:
        """log p(y | x) = score(x, y) - log Z(x) per sequence, (N,); train on its negative."""
        return self.score(emissions, tags, mask) - self.log_partition(emissions, mask)

    @torch.no_grad()
    def decode(
        self, emissions: Tensor, mask: Tensor, allowed: Tensor | None = None
    ) -> list[list[int]]:
        """The most likely tag sequence of each row (Viterbi), cut to its length.

        ``allowed`` (N, L, K) bool, optional: tags a step may take. Constrained decoding
        (forcing a user's word to be segmented as one word, say) sets the others to -inf, so
        the best sequence is the best one *among those allowed*, not a patched best one.
        """
        if allowed is not None:
            emissions = emissions.masked_fill(~allowed, float("-inf"))
        # On the CPU in numpy, all rows at once: K is small, and a step of torch costs more
        # in dispatch than in arithmetic.
        scores = emissions.detach().float().cpu().numpy()  # (N, L, K)
        real = mask.cpu().numpy()
        moves = self.transitions.detach().float().cpu().numpy()[None]  # (1, K, K)
        n, length, k = scores.shape
        delta = self.start.detach().float().cpu().numpy() + scores[:, 0]  # (N, K)
        pointers = np.zeros((max(length - 1, 0), n, k), dtype=np.int64)  # best previous tag
        for t in range(1, length):
            candidates = delta[:, :, None] + moves  # (N, K previous, K next)
            best = candidates.argmax(1)
            pointers[t - 1] = best
            step = candidates.max(1) + scores[:, t]
            delta = np.where(real[:, t, None], step, delta)
        delta = delta + self.end.detach().float().cpu().numpy()
        # Backtrack all rows at once, one step at a time from the longest row's end: a row
        # joins at its own last step, from its best final tag.
        ends = real.sum(1) - 1
        final = delta.argmax(1)
        rows = np.arange(n)
        paths = np.zeros((n, length), dtype=np.int64)
        tag = final
        for t in range(length - 1, -1, -1):
            tag = np.where(ends == t, final, tag)
            paths[:, t] = tag
            if t:
                tag = np.where(t <= ends, pointers[t - 1, rows, tag], tag)
        return [path[: end + 1] for path, end in zip(paths.tolist(), ends.tolist(), strict=True)]
