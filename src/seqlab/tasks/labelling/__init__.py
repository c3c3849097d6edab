"""Text labelling: a label per token (:class:`SequenceTagger`, many-to-many of equal length,
with an optional CRF) or per text (:class:`SequenceClassifier`, many-to-one), over one
shared base (base.py: vocabulary, features, padded batches, training, save and load).
"""

from seqlab.tasks.labelling.classify import SequenceClassifier
from seqlab.tasks.labelling.tag import SequenceTagger

__all__ = ["SequenceClassifier", "SequenceTagger"]
