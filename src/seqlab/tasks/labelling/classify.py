"""Many-to-one classification: one label per text (sentiment, topic, ...)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch
from torch import Tensor, nn

from seqlab.errors import ConfigError, Rule, check, one_of
from seqlab.io import read_json
from seqlab.models.text import TextEncoder
from seqlab.tasks.labelling.base import Features, TextTask

if TYPE_CHECKING:
    from typing import Self

__all__ = ["SequenceClassifier"]


def _language_model_config(path: str | Path) -> dict[str, Any]:
    """The saved parameters of the recurrent language model at ``path``."""
    file = Path(path) / "config.json"
    if not file.is_file():
        raise ConfigError(
            f"pretrained of SequenceClassifier must be the folder of a saved LanguageModel; "
            f"got {str(path)!r}, which has no config.json. Save one with LanguageModel.save.",
            param="pretrained",
        )
    config = cast(dict[str, Any], read_json(file))
    if config.get("model") not in ("rnn", "lstm", "gru") or "context" not in config:
        raise ConfigError(
            f"pretrained of SequenceClassifier must be a recurrent LanguageModel (rnn, lstm, "
            f"gru); got {config.get('model')!r} at {str(path)!r}. Pretrain a recurrent one.",
            param="pretrained",
        )
    return config


def _encoder_shape(path: str | Path) -> dict[str, Any]:
    """The encoder parameters that match the language model at ``path``: its cell, layers
    and width, one direction, no bigram or token features."""
    config = _language_model_config(path)
    return {
        "model": config["model"],
        "embedding_dim": config["hidden_size"],
        "hidden_size": config["hidden_size"],
        "num_layers": config["num_layers"],
        "bidirectional": False,
        "bigram_dim": 0,
        "feature_dim": 0,
    }


class _Classifier(nn.Module):
    """The encoder's summary of the text → dropout → linear logits."""

    def __init__(
        self, encoder: TextEncoder, num_classes: int, lr_decay: float = 1.0, gradual: bool = False
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(encoder.dropout.p)
        self.head = nn.Linear(encoder.output_size, num_classes)
        self.lr_decay = lr_decay
        self.gradual = gradual

    def _depths(self) -> dict[int, list[nn.Parameter]]:
        """The parameters by how many layers below the head they are (0: the head and the
        summary's own; the embeddings deepest)."""
        layers = getattr(self.encoder.encoder, "num_layers", 1)
        groups: dict[int, list[nn.Parameter]] = {}
        for name, param in self.named_parameters():
            found = re.search(r"_l(\d+)(_reverse)?$", name)
            if name.startswith(("encoder.embedding", "encoder.bigrams", "encoder.features")):
                depth = layers + 1
            elif found and name.startswith("encoder."):
                depth = layers - int(found.group(1))
            else:
                depth = 0
            groups.setdefault(depth, []).append(param)
        return dict(sorted(groups.items()))

    def parameter_groups(self, lr: float) -> list[dict[str, Any]]:
        """Discriminative learning rates [1]: the head at ``lr``, each layer below it at
        ``lr_decay`` times the rate of the one above (the embeddings lowest), so that
        fine-tuning moves what pretraining learnt least where it is most general."""
        return [{"params": ps, "lr": lr * self.lr_decay**d} for d, ps in self._depths().items()]

    def unfreeze(self, epoch: int) -> None:
        """Gradual unfreezing [1], called by the Trainer as each epoch begins: with
        ``gradual``, epoch 1 trains the head alone and each later one a layer more, from
        the top down (the embeddings last); else everything trains."""
        for depth, params in self._depths().items():
            for param in params:
                param.requires_grad_(not self.gradual or depth < epoch)

    def forward(self, *inputs: Tensor | None) -> Tensor:
        """``inputs``: those of :meth:`TextEncoder.forward` (ids, lengths, edges, features)."""
        _, summary = self.encoder(*inputs)
        return self.head(self.dropout(summary))  # logits (N, C)

    def loss(self, logits: Tensor, labels: Tensor) -> Tensor:
        return nn.functional.cross_entropy(logits, labels)


class SequenceClassifier(TextTask):
    """Many-to-one: one label per text (sentiment, topic, ...), from the encoder's summary.

    ``pooling``: the summary, "auto" (a recurrent encoder's final state, both directions;
    the Transformer's mean), "mean" or "max" over the real tokens. ``pretrained``: the folder
    of a saved recurrent :class:`~seqlab.tasks.LanguageModel` whose embedding and layers
    initialise the encoder before training (transfer learning, ULMFiT's way [1]; build such
    a classifier with :meth:`from_language_model`, which sizes the encoder as the language
    model); the tokens the language model never saw start at random. ``lr_decay``: each
    layer below the head trains at that times the learning rate of the one above (1: one
    rate for all). ``ulmfit``: ULMFiT's fine-tuning schedule, gradual unfreezing (the first
    epoch trains the head alone, each later one a layer more, top down) and slanted
    triangular learning rates (up over the first tenth of the steps, then down to 1/32).
    The other parameters are those every text task shares (see
    :class:`~seqlab.tasks.labelling.base.TextTask`).

    .. [1] Howard & Ruder (2018). Universal Language Model Fine-tuning for Text
       Classification. ACL.

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
        precision: str = "auto",
        pretrained: str | None = None,
        lr_decay: float = 1.0,
        ulmfit: bool = False,
    ) -> None:
        super().__init__(
            model=model,
            bidirectional=bidirectional,
            embedding_dim=embedding_dim,
            hidden_size=hidden_size,
            num_layers=num_layers,
            dropout=dropout,
            word_dropout=word_dropout,
            num_heads=num_heads,
            min_freq=min_freq,
            bigram_dim=bigram_dim,
            bigram_min_freq=bigram_min_freq,
            feature_dim=feature_dim,
            members=members,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
            patience=patience,
            val_size=val_size,
            seed=seed,
            device=device,
            verbose=verbose,
            precision=precision,
        )
        self.pooling = pooling
        self.pretrained = pretrained
        self.lr_decay = lr_decay
        self.ulmfit = ulmfit

    @classmethod
    def from_language_model(cls, path: str | Path, **params: Any) -> SequenceClassifier:
        """A classifier whose encoder is the saved recurrent language model at ``path``: the
        same cell, layers and size, one direction, no bigram or token features, initialised
        from it when fit; ``params``: the other parameters (pooling, lr_decay, epochs, ...).

        Example:
            >>> SequenceClassifier.from_language_model("runs/lm", lr_decay=0.4)  # doctest: +SKIP
        """
        return cls(**{**params, **_encoder_shape(path), "pretrained": str(path)})

    def _pooling(self) -> str:
        return self.pooling

    def _build_one(self) -> _Classifier:
        model = _Classifier(self._encoder(), len(self.labels_), self.lr_decay, self.ulmfit)
        return model.to(self.device_)

    def _schedule(self) -> str:
        return "slanted" if self.ulmfit else "cosine"

    def _check_pretrained(self) -> None:
        """The encoder must be shaped as the language model it starts from."""
        if self.pretrained is None:
            return
        wanted = _encoder_shape(self.pretrained)
        wrong = {k: v for k, v in wanted.items() if getattr(self, k) != v}
        if wrong:
            got = ", ".join(f"{k}={getattr(self, k)!r}" for k in wrong)
            raise ConfigError(
                f"pretrained of SequenceClassifier must come with an encoder shaped as its "
                f"language model ({', '.join(f'{k}={v!r}' for k, v in wrong.items())}); got "
                f"{got}. Build it with SequenceClassifier.from_language_model(path).",
                param="pretrained",
            )

    def _initialise(self, model: nn.Module) -> None:
        """Copy the language model's embedding rows (matched by token) and layers."""
        if self.pretrained is None:
            return
        from seqlab.tasks.lm import LanguageModel

        lm = LanguageModel.load(self.pretrained, device="cpu")
        source = lm.model_.state_dict()
        encoder = cast(_Classifier, model).encoder
        with torch.no_grad():
            known = lm.vocab_.stoi
            rows = [(i, known[t]) for i, t in enumerate(self.vocab_.itos) if t in known]
            mine, theirs = (torch.tensor(r) for r in zip(*rows, strict=True))
            weight = source["embedding.weight"]
            encoder.embedding.weight[mine] = weight[theirs].to(encoder.embedding.weight)
            for name, param in encoder.encoder.named_parameters():  # rnn.weight_ih_l0, ...
                param.copy_(source[f"backbone.{name}"])

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
            "SequenceClassifier",
            {"pooling": one_of("auto", "mean", "max")},
            {"pooling": self.pooling},
        )
        check(
            "SequenceClassifier",
            {
                "lr_decay": Rule("a number in (0, 1]", lambda v: 0 < v <= 1),
                "ulmfit": Rule("True or False", lambda v: isinstance(v, bool)),
            },
            {"lr_decay": self.lr_decay, "ulmfit": self.ulmfit},
        )
        self._check_pretrained()
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
        model = self._predictor()
        for rows, inputs in self._predict_batches(sequences, features):
            out[rows] = model(*inputs).float().softmax(-1).cpu().numpy()
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
