"""What the text tasks share: parameters, vocabularies, encoding, training, save and load.

A text task holds a :class:`~seqlab.models.text.TextEncoder` from the zoo, adds a head and a
loss (:mod:`seqlab.tasks.labelling.tag`, :mod:`seqlab.tasks.labelling.classify`), and trains
through the one generic :class:`~seqlab.train.Trainer`. Inputs are already tokenized (lists
of tokens: characters for Chinese tagging, jieba words, ...), so the tasks know nothing of any
language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from copy import deepcopy as copy_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch
from torch import Tensor, nn

from seqlab.data.batches import EncodedTexts, TextBatches
from seqlab.data.text_features import bigram_edges
from seqlab.data.tokens import UNK_ID, Vocab
from seqlab.errors import DataError, Rule, check, one_of
from seqlab.estimator import Estimator
from seqlab.io import PRECISIONS, read_json, read_tensors, write_json, write_weights
from seqlab.models.ensemble import Ensemble
from seqlab.models.text import TextEncoder
from seqlab.train import TrainConfig, Trainer, resolve_device
from seqlab.train.precision import arithmetic, resolve_inference

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Features", "TextTask"]

PREDICT_BATCH = 256  # texts per forward pass when predicting ...
PREDICT_TOKENS = 16_384  # ... and padded tokens: long texts go in smaller batches

Features = Sequence[Sequence[Sequence[str]]]  # per text, per token: F categorical values

_RULES = {
    "model": one_of("rnn", "lstm", "gru", "transformer"),
    "val_size": Rule("a fraction in [0, 1)", lambda v: 0 <= v < 1),
    "word_dropout": Rule("a probability in [0, 1)", lambda v: 0 <= v < 1),
    "bigram_dim": Rule("a non-negative integer", lambda v: isinstance(v, int) and v >= 0),
    "bigram_min_freq": Rule("a positive integer", lambda v: isinstance(v, int) and v > 0),
    "members": Rule("a positive integer", lambda v: isinstance(v, int) and v > 0),
}


def _json(folder: Path, name: str) -> Path:
    """The saved ``name``.json.gz in ``folder``, or the plain ``name``.json of older saves."""
    gz = folder / f"{name}.json.gz"
    return gz if gz.exists() or not (folder / f"{name}.json").exists() else folder / f"{name}.json"


class TextTask(Estimator):
    """The parameters and machinery both text tasks share (see their docstrings).

    The encoder: ``model`` from the zoo (rnn, lstm, gru, transformer), ``bidirectional``,
    ``embedding_dim``, ``hidden_size``, ``num_layers``, ``dropout`` on the embeddings and
    before the head, ``num_heads`` for the Transformer. ``word_dropout``: in training, each
    token becomes ``<unk>`` with this probability. Tokens seen fewer than ``min_freq`` times
    become ``<unk>`` (so ``<unk>`` is trained). Bigram features (``bigram_dim`` > 0): each
    token also embeds its left and right bigram, those seen at least ``bigram_min_freq``
    times. Per-token features (``feature_dim`` > 0 and ``features`` given to fit): F
    categorical values per token, each embedded in ``feature_dim``. ``members`` > 1: that many
    models trained one after another, alike but for their seed (``seed`` + i), their outputs
    averaged; given a ``validation``, member i is the model a fit with ``seed`` + i gives,
    while a ``val_size`` part is drawn once, from ``seed``. Training: ``epochs``,
    ``batch_size``, ``lr``, ``patience`` of early stopping on a seeded ``val_size`` part or on
    the ``validation`` given to fit, ``seed``, ``device``, ``verbose`` progress, and the
    arithmetic ``precision`` ("fp32", "bf16" autocast with float32 weights, or "auto": bf16
    where the device has it natively, see :mod:`seqlab.train.precision`).
    """

    # Learned state, set by fit or load.
    model_: nn.Module
    labels_: list[str]
    vocab_: Vocab
    bigrams_: Vocab | None
    features_: Vocab | None
    num_features_: int
    device_: torch.device
    history_: list[dict[str, float]]

    def __init__(
        self,
        *,
        model: str = "lstm",
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
    ) -> None:
        self.model = model
        self.bidirectional = bidirectional
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.word_dropout = word_dropout
        self.num_heads = num_heads
        self.min_freq = min_freq
        self.bigram_dim = bigram_dim
        self.bigram_min_freq = bigram_min_freq
        self.feature_dim = feature_dim
        self.members = members
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.patience = patience
        self.val_size = val_size
        self.seed = seed
        self.device = device
        self.verbose = verbose
        self.precision = precision
        self._bf16: tuple[nn.Module, nn.Module] | None = None  # model_ and its bf16 copy

    @classmethod
    def _upgrade(cls, config: dict[str, Any]) -> dict[str, Any]:
        """Saves before the backbone was called ``model`` name it ``encoder``."""
        return {("model" if k == "encoder" else k): v for k, v in config.items()}

    # -- the model ---------------------------------------------------------------------------

    def _pooling(self) -> str:
        return "auto"

    def _encoder(self) -> TextEncoder:
        return TextEncoder(
            len(self.vocab_),
            self.model,
            self.embedding_dim,
            self.hidden_size,
            self.num_layers,
            self.bidirectional,
            self.dropout,
            self.num_heads,
            len(self.bigrams_) if self.bigrams_ is not None else 0,
            self.bigram_dim,
            self._pooling(),
            len(self.features_) if self.features_ is not None else 0,
            self.feature_dim,
            self.num_features_,
            self.word_dropout,
            UNK_ID,
        )

    def _build_one(self) -> nn.Module:
        raise NotImplementedError

    def _schedule(self) -> str:
        """The learning-rate schedule of every member's training (TrainConfig.schedule)."""
        return "cosine"

    def _initialise(self, model: nn.Module) -> None:
        """Set a new model's starting weights before training (a task that transfers them
        overrides this); the default keeps the random initialisation."""

    def _build(self) -> nn.Module:
        """The model as fit leaves it (see :meth:`_assemble`), untrained."""
        return self._assemble([self._build_one() for _ in range(self.members)])

    @staticmethod
    def _assemble(members: Sequence[nn.Module]) -> nn.Module:
        """One model as it is, more as their ensemble."""
        return members[0] if len(members) == 1 else Ensemble(members)

    # -- data --------------------------------------------------------------------------------

    def _prepare(
        self,
        sequences: Sequence[Sequence[str]],
        targets: Sequence[Any],
        features: Features | None = None,
    ) -> None:
        """Check the parameters and the data; build the vocabularies (forgetting any earlier
        fit's)."""
        check(type(self).__name__, _RULES, self.get_params())
        if len(sequences) != len(targets) or not sequences:
            raise DataError(
                f"data of {type(self).__name__}.fit must be equally many texts and targets, at "
                f"least one; got {len(sequences)} texts and {len(targets)} targets. Pass "
                "matching lists.",
                param="data",
            )
        self.vocab_ = Vocab.build(sequences, self.min_freq)
        self.bigrams_ = (
            Vocab.build((bigram_edges(s) for s in sequences), self.bigram_min_freq)
            if self.bigram_dim
            else None
        )
        self.features_, self.num_features_ = None, 0
        if self.feature_dim and features is not None:
            self.num_features_ = max((len(v) for f in features for v in f), default=0)
            self.features_ = Vocab.build(v for f in features for v in f)
            self._check_features(sequences, features)
        self.device_ = resolve_device(self.device)

    def encode(
        self, sequences: Sequence[Sequence[str]], features: Features | None = None
    ) -> EncodedTexts:
        """Token ids, bigram (edge) ids when the task uses bigrams, feature ids when it uses
        features: what the model reads (``.tensors(rows, device)``)."""
        self._check_fitted("encode")
        return self._encode(sequences, features)

    def _encode(
        self, sequences: Sequence[Sequence[str]], features: Features | None = None
    ) -> EncodedTexts:
        """:meth:`encode` with the vocabularies of this fit, also while fitting."""
        self._check_features(sequences, features)
        ids = [self.vocab_.encode(s) for s in sequences]
        edges = None
        if self.bigrams_ is not None:
            edges = [self.bigrams_.encode(bigram_edges(s)) for s in sequences]
        feats = None
        if self.features_ is not None:
            feats = [
                self.features_.encode([x for v in f for x in v]) for f in cast(Features, features)
            ]
        return EncodedTexts(ids, edges, feats, self.num_features_)

    def _check_features(
        self, sequences: Sequence[Sequence[str]], features: Features | None
    ) -> None:
        name = type(self).__name__
        if self.features_ is None:
            return
        if features is None or len(features) != len(sequences):
            got = "None" if features is None else f"{len(features)} lists for {len(sequences)}"
            raise DataError(
                f"features of {name} must be given, one list per text, as in fit; got {got}. "
                f"Pass {self.num_features_} values per token.",
                param="features",
            )
        for i, (s, f) in enumerate(zip(sequences, features, strict=True)):
            if len(f) != len(s) or set(map(len, f)) - {self.num_features_}:
                raise DataError(
                    f"features of {name} must be {self.num_features_} values for each token; "
                    f"got {[len(v) for v in f][:5]} for the {len(s)} tokens of text {i}. "
                    "Fix that text's features.",
                    param="features",
                )

    def _predictor(self) -> nn.Module:
        """The model prediction runs: ``model_``, or where ``precision`` resolves to bf16 for
        inference (:func:`~seqlab.train.precision.resolve_inference`), a bfloat16 copy of
        it, made once per fitted model; its outputs are read back as float32."""
        if resolve_inference(self.precision, self.device_) != "bf16":
            return self.model_
        made = getattr(self, "_bf16", None)  # absent on an estimator made by load
        if made is None or made[0] is not self.model_:
            copy = copy_module(self.model_).to(torch.bfloat16).eval()
            self._bf16 = made = (self.model_, copy)
        return made[1]

    def _predict_batches(
        self, sequences: Sequence[Sequence[str]], features: Features | None = None
    ) -> Iterator[tuple[list[int], tuple[Tensor | None, ...]]]:
        """(rows, model inputs) over the sequences sorted by length, so little is padding;
        ``rows`` says where each result belongs."""
        data = self._encode(sequences, features)
        for rows in data.by_length(PREDICT_BATCH, PREDICT_TOKENS):
            yield rows, data.tensors(rows, self.device_)

    # -- training ----------------------------------------------------------------------------

    def _train(
        self,
        data: EncodedTexts,
        targets: list[Any],
        validation: tuple[EncodedTexts, list[Any]] | None = None,
    ) -> None:
        """Train ``members`` models, each with early stopping on ``validation``, or else on a
        ``val_size`` part drawn from ``seed``; member i is initialised, shuffled and dropped
        out from ``seed`` + i."""
        dev = self.device_
        if validation is not None:
            train = TextBatches(data, targets, dev)
            val = TextBatches(*validation, dev) if len(validation[0]) else None
        else:
            order = np.random.default_rng(self.seed).permutation(len(data))
            held, kept = np.split(order, [int(len(data) * self.val_size)])

            def part(rows: np.ndarray) -> TextBatches:
                return TextBatches(data.take(rows.tolist()), [targets[i] for i in rows], dev)

            train, val = part(kept), part(held) if len(held) else None
        members, self.history_ = [], []
        for i in range(self.members):
            seed = self.seed + i
            torch.manual_seed(seed)  # the initial weights
            model = self._build_one()
            self._initialise(model)
            config = TrainConfig(
                epochs=self.epochs,
                batch_size=self.batch_size,
                lr=self.lr,
                schedule=self._schedule(),
                patience=self.patience,
                seed=seed,
                verbose=self.verbose,
                **arithmetic(self.precision, self.device_, f"text-{self.model}"),
            )
            name = type(self).__name__ + (f" {i + 1}/{self.members}" if self.members > 1 else "")
            loss = cast(Callable[[Tensor, Tensor], Tensor], model.loss)  # the head's loss
            result = Trainer(config, loss=loss).fit(model, train, val, description=name)
            self.history_ += [{"member": i, **h} if self.members > 1 else h for h in result.history]
            members.append(model)
        self.model_ = self._assemble(members)
        self.model_.eval()

    # -- save / load -------------------------------------------------------------------------

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        """Write config, labels, vocabularies (gzipped JSON) and weights to the folder
        ``path``; the weights in ``precision``: float32, float16 (half the size), int8 (a
        quarter, see :func:`seqlab.io.write_tensors`) or int4 (the embedding tables in 4
        bits, the other matrices in int8), the last three for shipping. Returns the folder."""
        self._check_fitted("save")
        check("save", {"precision": one_of(*PRECISIONS, "int4")}, {"precision": precision})
        path = Path(path)
        self._save_params(path)
        write_json(path / "labels.json", {"labels": self.labels_})
        self.vocab_.save(path / "vocab.json.gz")
        if self.bigrams_ is not None:
            self.bigrams_.save(path / "bigrams.json.gz")
        if self.features_ is not None:
            write_json(
                path / "features.json.gz",
                {"per_token": self.num_features_, "tokens": self.features_.itos},
                compact=True,
            )
        tables = [
            f"{n}.weight" for n, m in self.model_.named_modules() if isinstance(m, nn.Embedding)
        ]
        write_weights(path, self.model_.state_dict(), precision, lookups=tables)
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Self:
        """Rebuild a task saved by :meth:`save`; its predictions are identical."""
        path = Path(path)
        task = cls._load_params(path, device=device)
        task.vocab_ = Vocab.load(_json(path, "vocab"))
        task.bigrams_ = Vocab.load(_json(path, "bigrams")) if task.bigram_dim else None
        task.features_, task.num_features_ = None, 0
        if _json(path, "features").exists():
            features = read_json(_json(path, "features"))
            task.features_ = Vocab(features["tokens"])
            task.num_features_ = int(features["per_token"])
        task.labels_ = read_json(path / "labels.json")["labels"]
        task.device_ = resolve_device(device)
        task.history_ = []
        model = task._build()
        model.load_state_dict(read_tensors(path / "model.safetensors"))
        task.model_ = model.to(task.device_).eval()
        return task
