"""Review sentiment, "pos" or "neg", from character BiLSTMs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seqlab.data.tokens import CharTokenizer
from seqlab.errors import DataError
from seqlab.tasks import SequenceClassifier
from seqlab.text.tool import Tool

__all__ = ["SentimentClassifier"]

_chars = CharTokenizer()


class SentimentClassifier(Tool):
    """Review sentiment, "pos" or "neg", from character BiLSTMs (the recipe's ``members``:
    three, trained alike from seeds 0, 1 and 2, their log-probabilities averaged).

    Example:
        >>> clf = SentimentClassifier.pretrained()
        >>> clf.predict_proba(["房间干净，服务很好", "太差了"]).round(2)    # doctest: +SKIP
        array([[0.03, 0.97], [0.95, 0.05]], dtype=float32)
        >>> clf.labels
        ['neg', 'pos']
    """

    _task = "sentiment"
    _model = SequenceClassifier
    model: SequenceClassifier

    @property
    def labels(self) -> list[str]:
        """The column order of :meth:`predict_proba`."""
        return list(self.model.labels_)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(N, 2) probabilities, columns in the order of ``labels``."""
        if isinstance(texts, str):
            raise DataError(
                "texts of SentimentClassifier.predict_proba must be a list of texts; got one "
                "str. Wrap it in a list: predict_proba([text]).",
                param="texts",
            )
        return self.model.predict_proba([_chars(t) for t in texts])

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The label of each text."""
        return [self.labels[k] for k in self.predict_proba(texts).argmax(1)]

    def evaluate(self, items: Sequence[tuple[str, str]]) -> dict[str, float]:
        """Accuracy and macro F1 (%) on (text, label) pairs."""
        return self.model.evaluate([_chars(t) for t, _ in items], [y for _, y in items])
