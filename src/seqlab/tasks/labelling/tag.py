"""Many-to-many tagging: one tag per token (segmentation as b/m/e/s, POS, NER, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import torch
from torch import Tensor, nn

from seqlab.data.batches import IGNORE, EncodedTexts
from seqlab.errors import DataError
from seqlab.models.text import TextEncoder
from seqlab.nn.crf import LinearChainCRF
from seqlab.tasks.labelling.base import Features, TextTask

if TYPE_CHECKING:
    from typing import Self

__all__ = ["SequenceTagger"]


class _Tagger(nn.Module):
    """Encoder states → dropout → linear emissions; optionally a linear-chain CRF on top."""

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


class SequenceTagger(TextTask):
    """Many-to-many: one tag per token (segmentation as b/m/e/s, POS, NER, ...).

    Emissions from a (by default bidirectional) encoder; with ``crf=True`` a linear-chain CRF
    scores whole tag sequences and Viterbi decodes them. The other parameters are those every
    text task shares (see :class:`~seqlab.tasks.labelling.base.TextTask`).

    Example:
        >>> tagger = SequenceTagger(model="gru", crf=True, epochs=5)
        >>> tagger.fit([list("我爱北京")], [["s", "s", "b", "e"]])      # doctest: +SKIP
        >>> tagger.predict([list("北京")])                             # doctest: +SKIP
        [['b', 'e']]
    """

    def __init__(
        self,
        model: str = "lstm",
        crf: bool = False,
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
        self.crf = crf

    @classmethod
    def _upgrade(cls, config: dict[str, Any]) -> dict[str, Any]:
        """Older saves also hold ``pooling``, which a tagger never used: "auto" is dropped."""
        config = super()._upgrade(config)
        if config.get("pooling") == "auto":
            config.pop("pooling")
        return config

    def _build_one(self) -> _Tagger:
        return _Tagger(self._encoder(), len(self.labels_), self.crf).to(self.device_)

    def fit(
        self,
        sequences: Sequence[Sequence[str]],
        tags: Sequence[Sequence[str]],
        validation: tuple | None = None,
        features: Features | None = None,
    ) -> Self:
        """Train on token sequences and their tags (equal lengths); empty texts are skipped.
        ``validation``: (sequences, tags[, features]) for early stopping instead of a
        ``val_size`` part. ``features``: per text, per token, F categorical values (used
        when ``feature_dim`` > 0; then predict needs them too). Returns self."""
        self._prepare(sequences, tags, features)
        for s_, t_, *_ in [(sequences, tags), *([validation] if validation else [])]:
            for i, (s, t) in enumerate(zip(s_, t_, strict=True)):
                if len(s) != len(t):
                    raise DataError(
                        f"tags of SequenceTagger.fit must match their text token for token; "
                        f"got {len(s)} tokens and {len(t)} tags in text {i}. Fix that pair.",
                        param="tags",
                    )
        self.labels_ = sorted({tag for seq in tags for tag in seq})
        index = {tag: k for k, tag in enumerate(self.labels_)}

        def encoded(
            s_: Sequence[Sequence[str]], t_: Sequence[Sequence[str]], f_: Features | None = None
        ) -> tuple[EncodedTexts, list]:
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
        model = self._predictor()  # the CRF's Viterbi stays in float32
        for rows, inputs in self._predict_batches(sequences, features):
            emissions = model(*inputs).float()  # (N, L, K)
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
        """``accuracy``: the share of tokens tagged right, in % (as every evaluate reports
        rates)."""
        predicted = self.predict(sequences, features=features)
        pairs = [
            (p, t)
            for ps, ts in zip(predicted, tags, strict=True)
            for p, t in zip(ps, ts, strict=True)
        ]
        right = [p == t for p, t in pairs]
        return {"accuracy": 100 * float(np.mean(right)) if pairs else float("nan")}
