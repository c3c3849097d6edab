"""Sequence to sequence: :class:`Seq2Seq` (model.py: encoder–decoders, teacher forcing,
selection on a validation metric, translation and pronunciation) with its parameter table
(checks.py); decoding runs the tasks' shared greedy and beam search (search.py).
"""

from seqlab.tasks.seq2seq.model import Seq2Seq

__all__ = ["Seq2Seq"]
