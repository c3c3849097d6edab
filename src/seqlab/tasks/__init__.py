"""Tasks: each holds a model from the zoo and adds the data pipeline, head, loss and metrics.

One package per task, each an :class:`~seqlab.estimator.Estimator` with fit / predict /
evaluate / save / load; they share the Trainer and one beam search (search.py), and never
import each other's modules:

forecasting/  :class:`Forecaster`: one series or many, intervals, a whole run, tuning, export
labelling/    :class:`SequenceTagger` (many-to-many) and :class:`SequenceClassifier`
              (many-to-one) over one base
lm/           :class:`LanguageModel`: the next token; sampling, poem forms, generation
seq2seq/      :class:`Seq2Seq`: encoder–decoders, translation, grapheme to phoneme
search.py     batched greedy and beam search, for lm/ and seq2seq/
"""

from seqlab.tasks.forecasting import Backtest, Evaluation, Forecaster
from seqlab.tasks.labelling import SequenceClassifier, SequenceTagger
from seqlab.tasks.lm import LanguageModel
from seqlab.tasks.seq2seq import Seq2Seq

__all__ = [
    "Backtest",
    "Evaluation",
    "Forecaster",
    "LanguageModel",
    "Seq2Seq",
    "SequenceClassifier",
    "SequenceTagger",
]
