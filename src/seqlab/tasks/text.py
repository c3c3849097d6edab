"""Text tasks: many-to-many tagging and many-to-one classification over token sequences.

Both hold a :class:`~seqlab.models.text.TextEncoder` from the zoo, add a head and a loss, and
train through the one generic :class:`~seqlab.train.Trainer`. Inputs are already tokenized
(lists of tokens: characters for Chinese tagging, jieba words, ...), so the tasks know nothing
of any language.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import Tensor, nn

from seqlab import __version__
from seqlab.errors import CheckpointError, DataError, NotFittedError, Rule, check, one_of
from seqlab.estimator import Estimator
from seqlab.io import PRECISIONS, read_json, read_tensors, write_json, write_tensors
from seqlab.models.text import TextEncoder
from seqlab.nn.crf import LinearChainCRF
from seqlab.text.vocab import Vocab, pad_batch
from seqlab.train import TrainConfig, Trainer, resolve_device

__all__ = ["SequenceClassifier", "SequenceTagger"]

IGNORE = -100  # target id of padding: no loss, no score
BOS, EOS = "<s>", "</s>"  # the text's ends, in bigrams
PREDICT_BATCH = 256  # texts per forward pass when predicting

_RULES = {
    "encoder": one_of("rnn", "lstm", "gru", "transformer"),
    "val_size": Rule("a fraction in [0, 1)", lambda v: 0 <= v < 1),
    "word_dropout": Rule("a probability in [0, 1)", lambda v: 0 <= v < 1),
    "bigram_dim": Rule("a non-negative integer", lambda v: isinstance(v, int) and v >= 0),
    "bigram_min_freq": Rule("a positive integer", lambda v: isinstance(v, int) and v > 0),
    "members": Rule("a positive integer", lambda v: isinstance(v, int) and v > 0),
}


def _edges(tokens: Sequence[str]) -> list[str]:
    """The L+1 bigrams of a text of L tokens, the text's ends included: "<s> a", "a b", ...,
    "z </s>" (see :class:`~seqlab.models.text.TextEncoder`)."""
    padded = [BOS, *tokens, EOS]
    return [f"{a} {b}" for a, b in pairwise(padded)]


def _pad_edges(edges: Sequence[Sequence[int]], length: int) -> Tensor:
    """(N, length + 1) edge ids for a batch padded to ``length`` tokens."""
    out = torch.zeros(len(edges), length + 1, dtype=torch.long)
    for i, e in enumerate(edges):
        out[i, : len(e)] = torch.as_tensor(list(e), dtype=torch.long)
    return out


def _pad_features(features: Sequence[Sequence[int]], length: int, f: int) -> Tensor:
    """(N, length, F) feature ids for a batch padded to ``length`` tokens, from each text's
    flat (L·F) ids."""
    out = torch.zeros(len(features), length * f, dtype=torch.long)
    for i, flat in enumerate(features):
        out[i, : len(flat)] = torch.as_tensor(flat, dtype=torch.long)
    return out.view(len(features), length, f)


def _json(folder: Path, name: str) -> Path:
    """The saved ``name``.json.gz in ``folder``, or the plain ``name``.json of older saves."""
    gz = folder / f"{name}.json.gz"
    return gz if gz.exists() or not (folder / f"{name}.json").exists() else folder / f"{name}.json"


Features = Sequence[Sequence[Sequence[str]]]  # per text, per token: F categorical values


class _Inputs:
    """Encoded texts: token ids, and bigram (edge) and feature ids where the task uses them."""

    def __init__(
        self,
        ids: list[list[int]],
        edges: list[list[int]] | None = None,
        features: list[list[int]] | None = None,  # per text, L·F ids (token by token)
        num_features: int = 0,
    ) -> None:
        self.ids, self.edges, self.features, self.num_features = ids, edges, features, num_features

    def take(self, rows: Sequence[int]) -> _Inputs:
        return _Inputs(
            [self.ids[i] for i in rows],
            [self.edges[i] for i in rows] if self.edges is not None else None,
            [self.features[i] for i in rows] if self.features is not None else None,
            self.num_features,
        )

    def tensors(self, rows: Sequence[int], device: torch.device) -> tuple[Tensor | None, ...]:
        """Model inputs of ``rows``: (ids, lengths, edges or None, features or None)."""
        x, lengths = pad_batch([self.ids[i] for i in rows])
        edges = feats = None
        if self.edges is not None:
            edges = _pad_edges([self.edges[i] for i in rows], x.shape[1]).to(device)
        if self.features is not None:
            feats = _pad_features(
                [self.features[i] for i in rows], x.shape[1], self.num_features
            ).to(device)
        return x.to(device), lengths, edges, feats


class _Batches:
    """Encoded texts with their targets; each batch is padded to its own longest text."""

    def __init__(self, inputs: _Inputs, targets: list[Any], device: torch.device) -> None:
        self.inputs, self.targets, self.device = inputs, targets, device

    def __len__(self) -> int:
        return len(self.inputs.ids)

    def order(self, generator: torch.Generator, batch_size: int) -> Tensor:
        """A random order in which each batch holds texts of similar length (less padding):
        shuffle, sort by length within pools of 50 batches, then shuffle the batches."""
        order = torch.randperm(len(self.inputs.ids), generator=generator)
        lengths = torch.tensor([len(s) for s in self.inputs.ids])
        pool = 50 * batch_size
        pools = [p[lengths[p].argsort(stable=True)] for p in order.split(pool)]
        batches = torch.cat(pools).split(batch_size)
        shuffled = torch.randperm(len(batches), generator=generator).tolist()
        return torch.cat([batches[b] for b in shuffled])

    def batch(self, index: Tensor) -> tuple[tuple[Tensor | None, ...], Tensor]:
        rows = index.tolist()
        first = self.targets[rows[0]] if rows else 0
        if isinstance(first, list):  # per-token tags
            y, _ = pad_batch([self.targets[i] for i in rows], pad=IGNORE)
        else:  # one label per text
            y = torch.tensor([self.targets[i] for i in rows])
        return self.inputs.tensors(rows, self.device), y.to(self.device)


class _Tagger(nn.Module):
    def __init__(self, encoder: TextEncoder, num_tags: int, crf: bool) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(encoder.dropout.p)  # on the states, as on the embeddings
        self.head = nn.Linear(encoder.output_size, num_tags)
        self.crf = LinearChainCRF(num_tags) if crf else None

    def forward(self, *inputs: Tensor | None) -> Tensor:
        """``inputs``: those of :meth:`TextEncoder.forward` (ids, lengths, edges, features)."""
        states, _ = self.encoder(*inputs)
        return self.head(self.dropout(states))  # emissions (N, L, K)

    def loss(self, emissions: Tensor, tags: Tensor) -> Tensor:
        if self.crf is None:
            return nn.functional.cross_entropy(emissions.transpose(1, 2), tags, ignore_index=IGNORE)
        mask = tags != IGNORE
        return -self.crf.log_likelihood(emissions, tags.clamp(min=0), mask).mean()


class _Classifier(nn.Module):
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


class _Ensemble(nn.Module):
    """Models trained alike from different seeds, as one: their outputs averaged.

    With CRFs, the mean emissions and the mean transition, start and end scores: Viterbi then
    finds the tag sequence of the highest mean score(x, y) over the members (the mean of their
    log p(y | x) up to a constant). Without, the mean log-probabilities (a geometric mean)."""

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, *inputs: Tensor | None) -> Tensor:
        outputs = torch.stack([m(*inputs) for m in self.members])
        crf = getattr(self.members[0], "crf", None) is not None
        return (outputs if crf else outputs.log_softmax(-1)).mean(0)

    @property
    def crf(self) -> LinearChainCRF | None:
        crfs = [getattr(m, "crf", None) for m in self.members]
        if crfs[0] is None:
            return None
        mean = copy.deepcopy(crfs[0])
        with torch.no_grad():
            for name, p in mean.named_parameters():
                p.copy_(torch.stack([getattr(c, name) for c in crfs]).mean(0))
        return mean


class _TextTask(Estimator):
    """What both tasks share: parameters, the vocabulary, training, save and load.

    Parameters: the encoder (``encoder`` from the zoo, ``bidirectional``, ``embedding_dim``,
    ``hidden_size``, ``num_layers``, ``dropout`` on the embeddings and before the head,
    ``num_heads`` for the Transformer), ``word_dropout`` (in training, each token becomes
    ``<unk>`` with this probability), tokens seen fewer than ``min_freq`` times become
    ``<unk>`` (so ``<unk>`` is trained), optional bigram features (``bigram_dim`` > 0: each
    token also embeds its left and right bigram, those seen at least ``bigram_min_freq``
    times), optional per-token features (``feature_dim`` > 0 and ``features`` given to fit:
    F categorical values per token, each embedded in ``feature_dim``), the summary
    ``pooling`` of the classifier (auto, mean, max), ``members`` (more than 1: that many
    models trained one after another, alike but for their seed, ``seed`` + i, and their
    outputs averaged; given a ``validation``, member i is the model a fit with ``seed`` + i
    gives, while a ``val_size`` part is drawn once, from ``seed``), and training
    (``epochs``, ``batch_size``, ``lr``, ``patience`` of early stopping on a seeded
    ``val_size`` part or on the ``validation`` given to fit, ``seed``, ``device``,
    ``verbose`` progress).
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
        encoder: str = "lstm",
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
        pooling: str = "auto",
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
        self.encoder = encoder
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
        self.pooling = pooling
        self.members = members
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
            len(self.bigrams_) if self.bigrams_ is not None else 0,
            self.bigram_dim,
            self.pooling,
            len(self.features_) if self.features_ is not None else 0,
            self.feature_dim,
            self.num_features_,
            self.word_dropout,
        )

    def _encode(
        self, sequences: Sequence[Sequence[str]], features: Features | None = None
    ) -> _Inputs:
        """Token ids, bigram (edge) ids when the task uses bigrams, feature ids when it uses
        features."""
        self._check_features(sequences, features)
        ids = [self.vocab_.encode(s) for s in sequences]
        edges = (
            None if self.bigrams_ is None else [self.bigrams_.encode(_edges(s)) for s in sequences]
        )
        feats = None
        if self.features_ is not None:
            feats = [
                self.features_.encode([x for v in f for x in v]) for f in cast(Features, features)
            ]
        return _Inputs(ids, edges, feats, self.num_features_)

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
                f"Pass {self.num_features_} values per token."
            )
        for i, (s, f) in enumerate(zip(sequences, features, strict=True)):
            if len(f) != len(s) or any(len(v) != self.num_features_ for v in f):
                raise DataError(
                    f"features of {name} must be {self.num_features_} values for each token; "
                    f"got {[len(v) for v in f][:5]} for the {len(s)} tokens of text {i}. "
                    "Fix that text's features."
                )

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"{method} of {type(self).__name__} must come after fit; got an unfitted one. "
                "Call fit(...) first, or load(path)."
            )

    def _train(
        self,
        data: _Inputs,
        targets: list[Any],
        validation: tuple[_Inputs, list[Any]] | None = None,
    ) -> None:
        """Train ``members`` models, each with early stopping on ``validation``, or else on a
        ``val_size`` part drawn from ``seed``; member i is initialised, shuffled and dropped
        out from ``seed`` + i."""
        dev = self.device_
        if validation is not None:
            train = _Batches(data, targets, dev)
            val = _Batches(*validation, dev) if validation[0].ids else None
        else:
            order = np.random.default_rng(self.seed).permutation(len(data.ids))
            held, kept = np.split(order, [int(len(data.ids) * self.val_size)])

            def part(rows: np.ndarray) -> _Batches:
                return _Batches(data.take(rows.tolist()), [targets[i] for i in rows], dev)

            train, val = part(kept), part(held) if len(held) else None
        members, self.history_ = [], []
        for i in range(self.members):
            seed = self.seed + i
            torch.manual_seed(seed)  # the initial weights
            model = self._build_one()
            config = TrainConfig(
                epochs=self.epochs,
                batch_size=self.batch_size,
                lr=self.lr,
                patience=self.patience,
                seed=seed,
                verbose=self.verbose,
            )
            name = type(self).__name__ + (f" {i + 1}/{self.members}" if self.members > 1 else "")
            result = Trainer(config, loss=model.loss).fit(model, train, val, name)
            self.history_ += [{"member": i, **h} if self.members > 1 else h for h in result.history]
            members.append(model)
        self.model_ = self._assemble(members)
        self.model_.eval()

    def _batches(self, sequences: Sequence[Sequence[str]], features: Features | None = None):
        """(rows, model inputs) over the sequences sorted by length, so little is padding;
        ``rows`` says where each result belongs."""
        data = self._encode(sequences, features)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        for b in range(0, len(order), PREDICT_BATCH):
            rows = order[b : b + PREDICT_BATCH]
            yield rows, data.tensors(rows, self.device_)

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        """Write config, labels, vocabularies (gzipped JSON) and weights to the folder
        ``path``; the weights in ``precision``: float32, float16 (half the size), int8 (a
        quarter, see :func:`seqlab.io.write_tensors`) or int4 (the embedding tables in 4
        bits, the other matrices in int8), the last three for shipping."""
        self._check_fitted("save")
        check(
            "save",
            {"precision": one_of(*PRECISIONS, "int4")},
            {"precision": precision},
        )
        path = Path(path)
        write_json(path / "config.json", {"seqlab_version": __version__, **self.get_params()})
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
        write_tensors(
            path / "model.safetensors",
            self.model_.state_dict(),
            "int8" if precision == "int4" else precision,
            four_bit=tables if precision == "int4" else (),
        )
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
        task.vocab_ = Vocab.load(_json(path, "vocab"))
        task.bigrams_ = Vocab.load(_json(path, "bigrams")) if task.bigram_dim else None
        task.features_, task.num_features_ = None, 0
        if _json(path, "features").exists():
            features = read_json(_json(path, "features"))
            task.features_ = Vocab(features["tokens"])
            task.num_features_ = int(features["per_token"])
        task.labels_ = read_json(path / "labels.json")["labels"]
        task.device_ = resolve_device(device)
        task.model_ = task._build()
        task.model_.load_state_dict(read_tensors(path / "model.safetensors"))
        task.model_.to(task.device_).eval()
        return task

    def _build(self) -> nn.Module:
        """The model as fit leaves it (see :meth:`_assemble`), untrained."""
        return self._assemble([self._build_one() for _ in range(self.members)])

    @staticmethod
    def _assemble(members: Sequence[nn.Module]) -> nn.Module:
        """One model as it is, more as their ensemble."""
        return members[0] if len(members) == 1 else _Ensemble(members)

    def _build_one(self) -> _Tagger | _Classifier:
        raise NotImplementedError

    def _prepare(
        self,
        sequences: Sequence[Sequence[str]],
        targets: Sequence[Any],
        features: Features | None = None,
    ) -> None:
        check(type(self).__name__, _RULES, self.get_params())
        if len(sequences) != len(targets) or not sequences:
            raise DataError(
                f"data of {type(self).__name__}.fit must be equally many texts and targets, at "
                f"least one; got {len(sequences)} texts and {len(targets)} targets. Pass "
                "matching lists."
            )
        self.vocab_ = Vocab.build(sequences, self.min_freq)
        self.bigrams_ = (
            Vocab.build((_edges(s) for s in sequences), self.bigram_min_freq)
            if self.bigram_dim
            else None
        )
        self.features_, self.num_features_ = None, 0
        if self.feature_dim and features is not None:
            self.num_features_ = max((len(v) for f in features for v in f), default=0)
            self.features_ = Vocab.build(v for f in features for v in f)
            self._check_features(sequences, features)
        self.device_ = resolve_device(self.device)


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

    def _build_one(self) -> _Tagger:
        return _Tagger(self._encoder(), len(self.labels_), self.crf).to(self.device_)

    def fit(
        self,
        sequences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        validation: tuple | None = None,
        features: Features | None = None,
    ) -> Any:
        """Train on token sequences and their tags (equal lengths); empty texts are skipped.
        ``validation``: (sequences, tags[, features]) for early stopping instead of a
        ``val_size`` part. ``features``: per text, per token, F categorical values (used
        when ``feature_dim`` > 0; then predict needs them too)."""
        self._prepare(sequences, tags, features)
        for s_, t_, *_ in [(sequences, tags), *([validation] if validation else [])]:
            for i, (s, t) in enumerate(zip(s_, t_, strict=True)):
                if len(s) != len(t):
                    raise DataError(
                        f"tags of SequenceTagger.fit must match their text token for token; "
                        f"got {len(s)} tokens and {len(t)} tags in text {i}. Fix that pair."
                    )
        self.labels_ = sorted({tag for seq in tags for tag in seq})
        index = {tag: k for k, tag in enumerate(self.labels_)}

        def encoded(
            s_: Sequence[Sequence[str]], t_: Sequence[Sequence[str]], f_: Features | None = None
        ) -> tuple[_Inputs, list]:
            # Empty texts teach nothing; validation texts with a tag unseen in training
            # cannot be scored.
            keep = [i for i, s in enumerate(s_) if len(s) and all(t in index for t in t_[i])]
            kept = None if f_ is None or self.features_ is None else [f_[i] for i in keep]
            inputs = self._encode([s_[i] for i in keep], kept)
            return inputs, [[index[t] for t in t_[i]] for i in keep]

        data, targets = encoded(sequences, tags, features)
        val = encoded(*validation) if validation is not None else None
        self._train(data, targets, val)
        return self

    @torch.no_grad()
    def predict(
        self,
        sequences: Sequence[Sequence[str]],
        allowed: Sequence[Tensor | None] | None = None,
        features: Features | None = None,
    ) -> list[list[str]]:
        """The tags of each sequence. ``allowed``: per sequence None or an (L, K) bool tensor
        of the tags each token may take (constrained decoding; needs ``crf=True`` to be exact,
        else each token takes its best allowed tag). ``features``: as given to fit."""
        self._check_fitted("predict")
        out: list[list[str]] = [[] for _ in sequences]
        crf = cast(_Tagger, self.model_).crf  # an ensemble averages its members' CRFs here
        for rows, inputs in self._batches(sequences, features):
            emissions = self.model_(*inputs)  # (N, L, K)
            lengths = cast(Tensor, inputs[1])
            mask = torch.arange(emissions.shape[1])[None, :] < lengths[:, None]
            allow = None
            if allowed is not None and any(allowed[r] is not None for r in rows):
                allow = torch.ones_like(emissions, dtype=torch.bool)
                for i, r in enumerate(rows):
                    a = allowed[r]
                    if a is not None:
                        allow[i, : a.shape[0]] = a.to(allow.device)
            if crf is not None:
                paths = crf.decode(emissions, mask.to(emissions.device), allow)
            else:
                scores = emissions if allow is None else emissions.masked_fill(~allow, -1e9)
                paths = scores.argmax(-1).tolist()
            for r, p in zip(rows, paths, strict=True):
                out[r] = [self.labels_[k] for k in p[: len(sequences[r])]]
        return out

    def evaluate(
        self,
        sequences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        features: Features | None = None,
    ) -> dict[str, float]:
        """Token accuracy over all tokens."""
        predicted = self.predict(sequences, features=features)
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

    def _build_one(self) -> _Classifier:
        return _Classifier(self._encoder(), len(self.labels_)).to(self.device_)

    def fit(
        self,
        sequences: Sequence[Sequence[str]],
        labels: Sequence[str],
        validation: tuple | None = None,
        features: Features | None = None,
    ) -> Any:
        """Train on token sequences and their labels. ``validation``: (sequences, labels[,
        features]) for early stopping instead of a ``val_size`` part. ``features``: per text,
        per token, F categorical values (used when ``feature_dim`` > 0)."""
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
        for rows, inputs in self._batches(sequences, features):
            out[rows] = self.model_(*inputs).softmax(-1).float().cpu().numpy()
        return out

    def predict(
        self, sequences: Sequence[Sequence[str]], features: Features | None = None
    ) -> list[str]:
        return [self.labels_[k] for k in self.predict_proba(sequences, features).argmax(1)]

    def evaluate(
        self,
        sequences: Sequence[Sequence[str]],
        labels: Sequence[str],
        features: Features | None = None,
    ) -> dict[str, float]:
        """Accuracy and macro F1."""
        predicted = np.array(self.predict(sequences, features))
        truth = np.array(labels)
        f1s = []
        for label in self.labels_:
            tp = np.sum((predicted == label) & (truth == label))
            precision = tp / max(np.sum(predicted == label), 1)
            recall = tp / max(np.sum(truth == label), 1)
            f1s.append(2 * precision * recall / max(precision + recall, 1e-12))
        return {"accuracy": float(np.mean(predicted == truth)), "macro_f1": float(np.mean(f1s))}
