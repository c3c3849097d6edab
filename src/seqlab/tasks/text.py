"""Text tasks: many-to-many tagging and many-to-one classification over token sequences.

Both hold a :class:`~seqlab.models.text.TextEncoder` from the zoo, add a head and a loss, and
train through the one generic :class:`~seqlab.train.Trainer`. Inputs are already tokenized
(lists of tokens: characters for Chinese tagging, jieba words, ...), so the tasks know nothing
of any language.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import Tensor, nn

from seqlab import __version__
from seqlab.errors import CheckpointError, DataError, NotFittedError, Rule, check, one_of
from seqlab.estimator import Estimator
from seqlab.io import read_json, read_tensors, write_json, write_tensors
from seqlab.models.text import TextEncoder
from seqlab.nn.crf import LinearChainCRF
from seqlab.text.vocab import Vocab, pad_batch
from seqlab.train import TrainConfig, Trainer, resolve_device

__all__ = ["SequenceClassifier", "SequenceTagger"]

IGNORE = -100  # target id of padding: no loss, no score
PREDICT_BATCH = 256  # texts per forward pass when predicting

_RULES = {
    "encoder": one_of("rnn", "lstm", "gru", "transformer"),
    "val_size": Rule("a fraction in [0, 1)", lambda v: 0 <= v < 1),
}


class _Batches:
    """Token-id sequences and their targets; each batch is padded to its own longest text."""

    def __init__(self, ids: list[list[int]], targets: list[Any], device: torch.device) -> None:
        self.ids, self.targets, self.device = ids, targets, device

    def __len__(self) -> int:
        return len(self.ids)

    def batch(self, index: Tensor) -> tuple[tuple[Tensor, Tensor], Tensor]:
        rows = index.tolist()
        x, lengths = pad_batch([self.ids[i] for i in rows])
        first = self.targets[rows[0]] if rows else 0
        if isinstance(first, list):  # per-token tags
            y, _ = pad_batch([self.targets[i] for i in rows], pad=IGNORE)
        else:  # one label per text
            y = torch.tensor([self.targets[i] for i in rows])
        return (x.to(self.device), lengths), y.to(self.device)


class _Tagger(nn.Module):
    def __init__(self, encoder: TextEncoder, num_tags: int, crf: bool) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.output_size, num_tags)
        self.crf = LinearChainCRF(num_tags) if crf else None

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        states, _ = self.encoder(ids, lengths)
        return self.head(states)  # emissions (N, L, K)

    def loss(self, emissions: Tensor, tags: Tensor) -> Tensor:
        if self.crf is None:
            return nn.functional.cross_entropy(emissions.transpose(1, 2), tags, ignore_index=IGNORE)
        mask = tags != IGNORE
        return -self.crf.log_likelihood(emissions, tags.clamp(min=0), mask).mean()


class _Classifier(nn.Module):
    def __init__(self, encoder: TextEncoder, num_classes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.output_size, num_classes)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        _, summary = self.encoder(ids, lengths)
        return self.head(summary)  # logits (N, C)


class _TextTask(Estimator):
    """What both tasks share: parameters, the vocabulary, training, save and load."""

    # Learned state, set by fit or load.
    model_: nn.Module
    labels_: list[str]
    vocab_: Vocab
    device_: torch.device
    history_: list[dict[str, float]]

    def __init__(
        self,
        encoder: str = "lstm",
        bidirectional: bool = True,
        embedding_dim: int = 64,
        hidden_size: int = 128,
        num_layers: int = 1,
        dropout: float = 0.1,
        num_heads: int = 4,
        min_freq: int = 1,
        epochs: int = 10,
        batch_size: int = 64,
        lr: float = 2e-3,
        patience: int | None = 3,
        val_size: float = 0.1,
        seed: int = 0,
        device: str = "auto",
        verbose: bool = False,
    ) -> None:
        self.encoder = encoder
        self.bidirectional = bidirectional
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.num_heads = num_heads
        self.min_freq = min_freq
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.patience = patience
        self.val_size = val_size
        self.seed = seed
        self.device = device
        self.verbose = verbose

    def _encoder(self) -> TextEncoder:
        return TextEncoder(
            len(self.vocab_),
            self.encoder,
            self.embedding_dim,
            self.hidden_size,
            self.num_layers,
            self.bidirectional,
            self.dropout,
            self.num_heads,
        )

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"{method} of {type(self).__name__} must come after fit; got an unfitted one. "
                "Call fit(...) first, or load(path)."
            )

    def _train(self, sequences: Sequence[Sequence[str]], targets: list[Any], loss: Any) -> None:
        """Split off a seeded validation part, train with early stopping on it."""
        ids = [self.vocab_.encode(s) for s in sequences]
        order = np.random.default_rng(self.seed).permutation(len(ids))
        n_val = int(len(ids) * self.val_size)
        val, train = order[:n_val], order[n_val:]
        dev = self.device_

        def part(rows: np.ndarray) -> _Batches:
            return _Batches([ids[i] for i in rows], [targets[i] for i in rows], dev)

        config = TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            patience=self.patience,
            seed=self.seed,
            verbose=self.verbose,
        )
        result = Trainer(config, loss=loss).fit(
            self.model_, part(train), part(val) if n_val else None, type(self).__name__
        )
        self.history_ = result.history
        self.model_.eval()

    def _batches(self, sequences: Sequence[Sequence[str]]):
        for b in range(0, len(sequences), PREDICT_BATCH):
            chunk = sequences[b : b + PREDICT_BATCH]
            x, lengths = pad_batch([self.vocab_.encode(s) for s in chunk])
            yield chunk, x.to(self.device_), lengths

    def save(self, path: str | Path) -> Path:
        self._check_fitted("save")
        path = Path(path)
        write_json(path / "config.json", {"seqlab_version": __version__, **self.get_params()})
        write_json(path / "labels.json", {"labels": self.labels_})
        self.vocab_.save(path / "vocab.json")
        write_tensors(path / "model.safetensors", self.model_.state_dict())
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Any:
        path = Path(path)
        config = read_json(path / "config.json")
        config.pop("seqlab_version", None)
        unknown = set(config) - set(cls._param_names())
        if unknown:
            raise CheckpointError(
                f"config.json of the saved model at {str(path)!r} must hold {cls.__name__} "
                f"parameters; got unknown {sorted(unknown)}. Save it again with this version."
            )
        task = cls(**{**config, "device": device})
        task.vocab_ = Vocab.load(path / "vocab.json")
        task.labels_ = read_json(path / "labels.json")["labels"]
        task.device_ = resolve_device(device)
        task.model_ = task._build()
        task.model_.load_state_dict(read_tensors(path / "model.safetensors"))
        task.model_.to(task.device_).eval()
        return task

    def _build(self) -> nn.Module:
        raise NotImplementedError

    def _prepare(self, sequences: Sequence[Sequence[str]], targets: Sequence[Any]) -> None:
        check(type(self).__name__, _RULES, self.get_params())
        if len(sequences) != len(targets) or not sequences:
            raise DataError(
                f"data of {type(self).__name__}.fit must be equally many texts and targets, at "
                f"least one; got {len(sequences)} texts and {len(targets)} targets. Pass "
                "matching lists."
            )
        self.vocab_ = Vocab.build(sequences, self.min_freq)
        self.device_ = resolve_device(self.device)
        torch.manual_seed(self.seed)


class SequenceTagger(_TextTask):
    """Many-to-many: one tag per token (segmentation as b/m/e/s, POS, NER, ...).

    Emissions from a (by default bidirectional) encoder; with ``crf=True`` a linear-chain CRF
    scores whole tag sequences and Viterbi decodes them. Same API style as the Forecaster.

    Example:
        >>> tagger = SequenceTagger(crf=True, epochs=5)
        >>> tagger.fit([list("我爱北京")], [["s", "s", "b", "e"]])      # doctest: +SKIP
        >>> tagger.predict([list("北京")])                             # doctest: +SKIP
        [['b', 'e']]
    """

    def __init__(self, crf: bool = False, **params: Any) -> None:
        super().__init__(**params)
        self.crf = crf

    def _build(self) -> nn.Module:
        return _Tagger(self._encoder(), len(self.labels_), self.crf).to(self.device_)

    def fit(self, sequences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> Any:
        """Train on token sequences and their tags (equal lengths); empty texts are skipped."""
        self._prepare(sequences, tags)
        for i, (s, t) in enumerate(zip(sequences, tags, strict=True)):
            if len(s) != len(t):
                raise DataError(
                    f"tags of SequenceTagger.fit must match their text token for token; got "
                    f"{len(s)} tokens and {len(t)} tags in text {i}. Fix that pair."
                )
        self.labels_ = sorted({tag for seq in tags for tag in seq})
        index = {tag: k for k, tag in enumerate(self.labels_)}
        keep = [i for i, s in enumerate(sequences) if len(s)]
        self.model_ = self._build()
        self._train(
            [sequences[i] for i in keep],
            [[index[t] for t in tags[i]] for i in keep],
            self.model_.loss,
        )
        return self

    @torch.no_grad()
    def predict(
        self, sequences: Sequence[Sequence[str]], allowed: Sequence[Tensor | None] | None = None
    ) -> list[list[str]]:
        """The tags of each sequence. ``allowed``: per sequence None or an (L, K) bool tensor
        of the tags each token may take (constrained decoding; needs ``crf=True`` to be exact,
        else each token takes its best allowed tag)."""
        self._check_fitted("predict")
        out: list[list[str]] = []
        for b, (chunk, x, lengths) in enumerate(self._batches(sequences)):
            emissions = self.model_(x, lengths)  # (N, L, K)
            mask = torch.arange(x.shape[1])[None, :] < lengths[:, None]
            allow = None
            if allowed is not None:
                allow = torch.ones_like(emissions, dtype=torch.bool)
                first = b * PREDICT_BATCH
                for i, a in enumerate(allowed[first : first + len(chunk)]):
                    if a is not None:
                        allow[i, : a.shape[0]] = a.to(allow.device)
            crf = cast(_Tagger, self.model_).crf
            if crf is not None:
                paths = crf.decode(emissions, mask.to(emissions.device), allow)
            else:
                scores = emissions if allow is None else emissions.masked_fill(~allow, -1e9)
                paths = scores.argmax(-1).tolist()
            out += [
                [self.labels_[k] for k in p[: len(s)]] for p, s in zip(paths, chunk, strict=True)
            ]
        return out

    def evaluate(
        self, sequences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]
    ) -> dict[str, float]:
        """Token accuracy over all tokens."""
        predicted = self.predict(sequences)
        pairs = [
            (p, t)
            for ps, ts in zip(predicted, tags, strict=True)
            for p, t in zip(ps, ts, strict=True)
        ]
        return {"accuracy": float(np.mean([p == t for p, t in pairs])) if pairs else float("nan")}


class SequenceClassifier(_TextTask):
    """Many-to-one: one label per text (sentiment, topic, ...), from the encoder's summary.

    Example:
        >>> clf = SequenceClassifier(epochs=5)
        >>> clf.fit([list("好"), list("差")], ["pos", "neg"])      # doctest: +SKIP
        >>> clf.predict_proba([list("好")])                        # doctest: +SKIP
    """

    def _build(self) -> nn.Module:
        return _Classifier(self._encoder(), len(self.labels_)).to(self.device_)

    def fit(self, sequences: Sequence[Sequence[str]], labels: Sequence[str]) -> Any:
        self._prepare(sequences, labels)
        self.labels_ = sorted(set(labels))
        index = {label: k for k, label in enumerate(self.labels_)}
        self.model_ = self._build()
        self._train(sequences, [index[label] for label in labels], nn.functional.cross_entropy)
        return self

    @torch.no_grad()
    def predict_proba(self, sequences: Sequence[Sequence[str]]) -> np.ndarray:
        """(N, classes) probabilities, columns in the order of ``labels_``."""
        self._check_fitted("predict_proba")
        parts = [
            self.model_(x, lengths).softmax(-1).cpu() for _, x, lengths in self._batches(sequences)
        ]
        return torch.cat(parts).numpy() if parts else np.zeros((0, len(self.labels_)))

    def predict(self, sequences: Sequence[Sequence[str]]) -> list[str]:
        return [self.labels_[k] for k in self.predict_proba(sequences).argmax(1)]

    def evaluate(
        self, sequences: Sequence[Sequence[str]], labels: Sequence[str]
    ) -> dict[str, float]:
        """Accuracy and macro F1."""
        predicted = np.array(self.predict(sequences))
        truth = np.array(labels)
        f1s = []
        for label in self.labels_:
            tp = np.sum((predicted == label) & (truth == label))
            precision = tp / max(np.sum(predicted == label), 1)
            recall = tp / max(np.sum(truth == label), 1)
            f1s.append(2 * precision * recall / max(precision + recall, 1e-12))
        return {"accuracy": float(np.mean(predicted == truth)), "macro_f1": float(np.mean(f1s))}
