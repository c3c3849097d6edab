"""Models trained alike from different seeds, run as one: their outputs averaged."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from seqlab.nn.crf import LinearChainCRF

__all__ = ["Ensemble"]


class Ensemble(nn.Module):
    """The members' outputs averaged.

    With CRFs (members with a ``crf`` attribute), the mean emissions and the mean transition,
    start and end scores: Viterbi then finds the tag sequence of the highest mean score(x, y)
    over the members (the mean of their log p(y | x) up to a constant). Without, the mean
    log-probabilities (a geometric mean).
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, *inputs: Tensor | None) -> Tensor:
        outputs = torch.stack([m(*inputs) for m in self.members])
        crf = getattr(self.members[0], "crf", None) is not None
        return (outputs if crf else outputs.log_softmax(-1)).mean(0)

    @property
    def crf(self) -> LinearChainCRF | None:
        """A fresh CRF holding the members' mean scores (None when they have no CRF)."""
        crfs = [getattr(m, "crf", None) for m in self.members]
        if crfs[0] is None:
            return None
        mean = copy.deepcopy(crfs[0])
        with torch.no_grad():
            for name, p in mean.named_parameters():
                p.copy_(torch.stack([getattr(c, name) for c in crfs]).mean(0))
        return mean
