"""Many-to-one classification: one label per text (sentiment, topic, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import Tensor, nn

from seqlab.errors import check, one_of
from seqlab.models.text import TextEncoder
from seqlab.tasks.text import Features, TextTask

if TYPE_CHECKING:
    from typing import Self

__all__ = ["SequenceClassifier"]


class _Classifier(nn.Module):
    """The encoder's summary of the text → dropout → linear logits."""

    def __init__(self, encoder: TextEncoder, num_classes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(encoder.dropout.p)
        self.head = nn.Linear(encoder.output_size, num_classes)

    def forward(self, *inputs: Tensor | None) -> Tensor:
        """``inputs``: those of :meth:`TextEncoder.forward` (ids, lengths, edges, features)."""
        _, summary = self.encoder(*inputs)
        return self.head(self.dropout(summary))  # logits (N, C)

    def loss(self, logits: Tensor, labels: Tensor) -> Tensor:
        return nn.functional.cross_entropy(logits, labels)


class SequenceClassifier(TextTask):
    """Many-to-one: one label per text (sentiment, topic, ...), from the encoder's summary.

    ``pooling``: the summary, "auto" (a recurrent encoder's final state, both directions;
    the Transformer's mean), "mean" or "max" over the real tokens. The other parameters are
    those every text task shares (see :class:`~seqlab.tasks.text.TextTask`).

    Example:
        >>> clf = SequenceClassifier(epochs=5)
        >>> clf.fit([list("好"), list("差")], ["pos", "neg"])      # doctest: +SKIP
        >>> clf.predict_proba([list("好")])                        # doctest: +SKIP
    """

    def __init__(
        self,
        model: str = "lstm",
        pooling: str = "auto",
        bidirectional: bool = True,
        embedding_dim: int = 64,
        hidden_size: int = 128,
        num_layers: int = 1,
        dropout: float = 0.1,
        word_dropout: float = 0.0,
        num_heads: int = 4,
        min_freq: int = 1,
        bigram_dim: int = 0,
        bigram_min_freq: int = 5,
        feature_dim: int = 0,
        members: int = 1,
        epochs: int = 10,
        batch_size: int = 64,
        lr: float = 2e-3,
        patience: int | None = 3,
        val_size: float = 0.1,
        seed: int = 0,
        device: str = "auto",
        verbose: bool = False,
    ) -> None:
        super().__init__(
            model, bidirectional, embedding_dim, hidden_size, num_layers, dropout, word_dropout,
            num_heads, min_freq, bigram_dim, bigram_min_freq, feature_dim, members, epochs,
            batch_size, lr, patience, val_size, seed, device, verbose,
        )  # fmt: skip
        self.pooling = pooling

    def _pooling(self) -> str:
        return self.pooling

    def _build_one(self) -> _Classifier:
        return _Classifier(self._encoder(), len(self.labels_)).to(self.device_)

    def fit(
        self,
        sequences: Sequence[Sequence[str]],
        labels: Sequence[str],
        validation: tuple | None = None,
        features: Features | None = None,
    ) -> Self:
        """Train on token sequences and their labels. ``validation``: (sequences, labels[,
        features]) for early stopping instead of a ``val_size`` part. ``features``: per text,
        per token, F categorical values (used when ``feature_dim`` > 0). Returns self."""
        check(
            "SequenceClassifier", {"pooling": one_of("auto", "mean", "max")},
            {"pooling": self.pooling},
        )  # fmt: skip
        self._prepare(sequences, labels, features)
        self.labels_ = sorted(set(labels))
        index = {label: k for k, label in enumerate(self.labels_)}
        val = None
        if validation is not None:
            v_seqs, v_labels, *v_feats = validation
            known = [i for i, label in enumerate(v_labels) if label in index]
            kept = None
            if v_feats and self.features_ is not None:
                kept = [v_feats[0][i] for i in known]
            val = (
                self._encode([v_seqs[i] for i in known], kept),
                [index[v_labels[i]] for i in known],
            )
        data = self._encode(sequences, features if self.features_ is not None else None)
        self._train(data, [index[label] for label in labels], val)
        return self

    @torch.no_grad()
    def predict_proba(
        self, sequences: Sequence[Sequence[str]], features: Features | None = None
    ) -> np.ndarray:
        """(N, classes) probabilities, columns in the order of ``labels_``."""
        self._check_fitted("predict_proba")
        out = np.zeros((len(sequences), len(self.labels_)), dtype=np.float32)
        for rows, inputs in self._predict_batches(sequences, features):
            out[rows] = self.model_(*inputs).softmax(-1).float().cpu().numpy()
        return out

    def predict(
        self, sequences: Sequence[Sequence[str]], features: Features | None = None
    ) -> list[str]:
        """The most probable label of each sequence."""
        self._check_fitted("predict")
        return [self.labels_[k] for k in self.predict_proba(sequences, features).argmax(1)]

    def evaluate(
        self,
        sequences: Sequence[Sequence[str]],
        labels: Sequence[str],
        features: Features | None = None,
    ) -> dict[str, float]:
        """``accuracy`` and ``macro_f1``, in % (as every evaluate reports rates)."""
        predicted = np.array(self.predict(sequences, features))
        truth = np.array(labels)
        f1s = []
        for label in self.labels_:
            tp = np.sum((predicted == label) & (truth == label))
            precision = tp / max(np.sum(predicted == label), 1)
            recall = tp / max(np.sum(truth == label), 1)
            f1s.append(2 * precision * recall / max(precision + recall, 1e-12))
        return {
            "accuracy": 100 * float(np.mean(predicted == truth)),
            "macro_f1": 100 * float(np.mean(f1s)),
        }
