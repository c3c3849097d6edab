"""Tasks: each holds a model from the zoo and adds the data pipeline, head, loss and metrics.

Every task is an :class:`~seqlab.estimator.Estimator` with fit / predict / evaluate / save /
load: forecasting (:class:`Forecaster`), tagging (:class:`SequenceTagger`, many-to-many) and
classification (:class:`SequenceClassifier`, many-to-one) and language modelling
(:class:`LanguageModel`, the next token; generation) and sequence to sequence
(:class:`Seq2Seq`, an encoder–decoder: translation, grapheme to phoneme).
"""

from seqlab.tasks.classify import SequenceClassifier
from seqlab.tasks.forecast import Backtest, Evaluation, Forecaster
from seqlab.tasks.generate import LanguageModel
from seqlab.tasks.seq2seq import Seq2Seq
from seqlab.tasks.tag import SequenceTagger

__all__ = [
    "Backtest",
    "Evaluation",
    "Forecaster",
    "LanguageModel",
    "Seq2Seq",
    "SequenceClassifier",
    "SequenceTagger",
]
