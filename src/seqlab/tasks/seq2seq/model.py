"""Sequence to sequence: an encoder–decoder from a source text to a target text of another
length — translation, grapheme to phoneme, dates to ISO dates.

:class:`Seq2Seq` is the estimator: tokens on each side (characters, words, or
space-separated symbols) with separate vocabularies, a network of
:mod:`seqlab.models.seq2seq`, training through the one :class:`~seqlab.train.Trainer`
(teacher forcing at a ratio or on a schedule, label smoothing, padding left out of the loss,
batches bucketed by length, early stopping on the validation loss or on a validation metric),
and batched greedy or beam decoding (:mod:`seqlab.tasks.search`) with the attention weights on
request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from seqlab.data.batches import PairBatches
from seqlab.data.pairs import hold_out_sources, references_by_source
from seqlab.data.tokens import PAD_ID, UNK_ID, Vocab, detokenize, tokenize
from seqlab.errors import (
    ConfigError,
    DataError,
    check,
    one_of,
)
from seqlab.estimator import Estimator
from seqlab.io import PRECISIONS, read_json, read_weights, write_json, write_weights
from seqlab.metrics import sequence_scores
from seqlab.models.seq2seq import RecurrentSeq2Seq, TransformerSeq2Seq
from seqlab.tasks.search import Hypothesis, decode_batches
from seqlab.tasks.seq2seq.checks import RULES, check_decoding, check_pairs, teacher_forcing_at
from seqlab.train import Hooks, TrainConfig, Trainer, resolve_device
from seqlab.train.base import transformer_warmup
from seqlab.train.precision import arithmetic

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Decoded", "Seq2Seq", "detokenize", "tokenize"]

BOS, EOS = "<s>", "</s>"
PREDICT_BATCH = 128  # sources per decoding batch (times the beam)
SCORE_SOURCES = 2000  # a validation metric reads at most this many sources per epoch


@dataclass
class Decoded:
    """One output of :meth:`Seq2Seq.decode`: the text, its tokens, the source's tokens as the
    model read them, log-probability and score, and the attention weights (one row per
    output token and the end, one column per source token) when asked."""

    text: str
    tokens: list[str]
    source: list[str]
    log_prob: float
    score: float
    attention: np.ndarray | None = None


class Seq2Seq(Estimator):
    """An encoder–decoder over any backbone of the zoo.

    Args:
        model: "gru", "lstm", "rnn" (a recurrent encoder and decoder) or "transformer".
        attention: for the recurrent models, the score: "general" (sᵀ W m), "dot" (sᵀ m),
            "additive" (Bahdanau's), or "none" (the baseline: one summary of the source).
        bidirectional: the recurrent encoder reads both ways.
        source_tokens, target_tokens: "char", "word" or "space" (see :func:`tokenize`).
        embedding_dim, hidden_size, num_layers, num_heads, dropout: the network's size
            (the Transformer's width is ``hidden_size``).
        teacher_forcing: the probability of feeding the gold previous token in training
            (else the model's own prediction); with ``schedule`` "linear" or
            "inverse_sigmoid" the ratio starts at 1 and falls to this value over the epochs
            (scheduled sampling).
        label_smoothing: the share of each target's probability spread over the vocabulary.
        min_freq: tokens seen fewer times become ``<unk>``.
        max_length: the longest output decoding writes.
        select: what early stopping and the kept weights follow: "loss" (validation loss),
            "exact" (the share of validation sources decoded exactly as a reference), "bleu"
            or "chrf" (greedy decoding of the validation sources).
        epochs, batch_size, lr, patience, val_size, seed, device, verbose: training; without
            a ``validation`` given to fit, a ``val_size`` share of the distinct sources (all
            their pairs) is held out.
        warmup: steps of linear warm-up before the cosine schedule; None: a twentieth of the
            training steps, at most 200, for the Transformer, none for the recurrent models.
        precision: the training arithmetic: "fp32", "bf16" (autocast, float32 weights) or
            "auto" (bf16 where the device has it natively, see seqlab.train.precision).

    Example:
        >>> s2s = Seq2Seq(model="gru", hidden_size=32, epochs=30, seed=0)
        >>> pairs = [("abc", "cba"), ("ab", "ba"), ("bca", "acb")] * 30
        >>> s2s.fit([a for a, _ in pairs], [b for _, b in pairs])   # doctest: +SKIP
        >>> s2s.predict(["cab"], beam=3)                             # doctest: +SKIP
        ['bac']
    """

    # Learned state, set by fit or load.
    model_: RecurrentSeq2Seq | TransformerSeq2Seq
    source_vocab_: Vocab
    target_vocab_: Vocab
    longest_source_: int
    length_ratio_: float
    device_: torch.device
    history_: list[dict[str, float]]

    def __init__(
        self,
        model: str = "gru",
        attention: str = "general",
        bidirectional: bool = True,
        source_tokens: str = "char",
        target_tokens: str = "char",
        embedding_dim: int = 128,
        hidden_size: int = 256,
        num_layers: int = 1,
        num_heads: int = 4,
        dropout: float = 0.2,
        teacher_forcing: float = 1.0,
        schedule: str = "constant",
        label_smoothing: float = 0.1,
        min_freq: int = 1,
        max_length: int = 200,
        select: str = "loss",
        epochs: int = 20,
        batch_size: int = 64,
        lr: float = 2e-3,
        patience: int | None = 3,
        val_size: float = 0.1,
        warmup: int | None = None,
        seed: int = 0,
        device: str = "auto",
        verbose: bool = False,
        precision: str = "auto",
    ) -> None:
        self.model = model
        self.attention = attention
        self.bidirectional = bidirectional
        self.source_tokens = source_tokens
        self.target_tokens = target_tokens
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.num_heads = num_heads
        self.dropout = dropout
        self.teacher_forcing = teacher_forcing
        self.schedule = schedule
        self.label_smoothing = label_smoothing
        self.min_freq = min_freq
        self.max_length = max_length
        self.select = select
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.patience = patience
        self.val_size = val_size
        self.warmup = warmup
        self.seed = seed
        self.device = device
        self.verbose = verbose
        self.precision = precision

    # -- the model ---------------------------------------------------------------------------

    def _build(self) -> RecurrentSeq2Seq | TransformerSeq2Seq:
        sizes = len(self.source_vocab_), len(self.target_vocab_)
        if self.model == "transformer":
            return TransformerSeq2Seq(
                *sizes,
                self.hidden_size,
                self.num_heads,
                self.num_layers,
                self.dropout,
                self.label_smoothing,
            )
        return RecurrentSeq2Seq(
            *sizes,
            self.model,
            self.attention,
            self.embedding_dim,
            self.hidden_size,
            self.num_layers,
            self.bidirectional,
            self.dropout,
            self.label_smoothing,
        )

    def teacher_forcing_at(self, epoch: int) -> float:
        """The teacher-forcing ratio of ``epoch`` (1-based) under ``schedule`` (see
        :func:`~seqlab.tasks.seq2seq.checks.teacher_forcing_at`)."""
        return teacher_forcing_at(epoch, self.epochs, self.teacher_forcing, self.schedule)

    # -- data --------------------------------------------------------------------------------

    def _source_ids(self, sources: Sequence[str]) -> list[list[int]]:
        return [self.source_vocab_.encode(tokenize(s, self.source_tokens)) for s in sources]

    def _target_ids(self, targets: Sequence[str]) -> list[list[int]]:
        return [self.target_vocab_.encode(tokenize(t, self.target_tokens)) for t in targets]

    def unknown(self, source: str) -> list[str]:
        """The tokens of ``source`` the model never saw in training (read as ``<unk>``)."""
        self._check_fitted("unknown")
        tokens = tokenize(source, self.source_tokens)
        return list(dict.fromkeys(t for t in tokens if t not in self.source_vocab_))

    # -- fit ---------------------------------------------------------------------------------

    def fit(
        self,
        sources: Sequence[str],
        targets: Sequence[str],
        validation: tuple[Sequence[str], Sequence[str]] | None = None,
    ) -> Self:
        """Train on (source, target) pairs; a source may have several targets (several
        pairs). Early stopping on ``validation`` (sources, targets), else on a ``val_size``
        share of the distinct sources drawn from ``seed``. Returns self."""
        check("Seq2Seq", RULES, self.get_params())
        if self.model == "transformer" and self.hidden_size % self.num_heads:
            raise ConfigError(
                f"hidden_size of Seq2Seq must be divisible by num_heads={self.num_heads} for "
                f"the Transformer; got {self.hidden_size}. Choose e.g. hidden_size=256.",
                param="hidden_size",
            )
        check_pairs(sources, targets, "fit", self.source_tokens, self.target_tokens)
        sources, targets = list(sources), list(targets)
        if validation is None:
            (sources, targets), val = hold_out_sources(sources, targets, self.val_size, self.seed)
        else:
            val = (list(validation[0]), list(validation[1]))
            if val[0]:
                check_pairs(val[0], val[1], "fit", self.source_tokens, self.target_tokens)
        self.source_vocab_ = Vocab.build(
            (tokenize(s, self.source_tokens) for s in sources), self.min_freq
        )
        seen = Vocab.build((tokenize(t, self.target_tokens) for t in targets), self.min_freq)
        self.target_vocab_ = Vocab([BOS, EOS, *seen.itos])
        self.device_ = resolve_device(self.device)
        src, tgt = self._source_ids(sources), self._target_ids(targets)
        self.longest_source_ = max(len(s) for s in src)
        self.length_ratio_ = max(len(t) / len(s) for s, t in zip(src, tgt, strict=True))
        bos, eos = self.target_vocab_.stoi[BOS], self.target_vocab_.stoi[EOS]
        train = PairBatches(src, tgt, bos, eos, self.device_)
        held_out = (
            PairBatches(self._source_ids(val[0]), self._target_ids(val[1]), bos, eos, self.device_)
            if val[0]
            else None
        )
        torch.manual_seed(self.seed)
        self.model_ = self._build().to(self.device_)
        self.model_.teacher_forcing = self.teacher_forcing_at(1)
        warmup = self.warmup
        if warmup is None:
            steps = -(-len(src) // self.batch_size) * max(self.epochs, 1)
            warmup = transformer_warmup(steps) if self.model == "transformer" else 0
        config = TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            warmup=warmup,
            patience=self.patience,
            seed=self.seed,
            verbose=self.verbose,
            **arithmetic(self.precision, self.device_, f"s2s-{self.model}"),
        )
        name = f"{self.model} seq2seq" + (
            f" ({self.attention})" if self.model != "transformer" else ""
        )
        result = Trainer(config, loss=self.model_.loss).fit(
            self.model_,
            train,
            held_out,
            description=name,
            hooks=Hooks(
                note=self._schedule_step() if self.schedule != "constant" else None,
                score=self._scorer(val) if self.select != "loss" and val[0] else None,
            ),
        )
        self.history_ = result.history
        self.model_.eval()
        return self

    def _schedule_step(self) -> Callable[[nn.Module], str]:
        epoch = 1

        def step(model: nn.Module) -> str:
            nonlocal epoch
            epoch += 1
            ratio = self.teacher_forcing_at(epoch)
            model.teacher_forcing = ratio  # type: ignore[assignment]
            return f"teacher forcing {ratio:.2f} next"

        return step

    def _scorer(self, val: tuple[list[str], list[str]]) -> Callable[[nn.Module], float]:
        """The validation metric as a score to minimise, on at most SCORE_SOURCES sources
        (every k-th distinct source)."""
        refs = references_by_source(*val)
        # evenly spread over the part (a file sorted by length would give only short ones)
        chosen = list(refs)[:: -(-len(refs) // SCORE_SOURCES)]

        def score(model: nn.Module) -> float:
            # the model being trained is self.model_ (fit sets it before training)
            found = self.evaluate(chosen, [refs[s] for s in chosen])
            model.train()
            if self.select == "exact":
                return 100.0 - found["exact"]
            return -found[self.select]

        return score

    # -- decoding ----------------------------------------------------------------------------

    @torch.no_grad()
    def decode(
        self,
        sources: Sequence[str],
        beam: int = 1,
        n_best: int = 1,
        alpha: float = 0.6,
        return_attention: bool = False,
    ) -> list[list[Decoded]]:
        """The ``n_best`` outputs of each source, best first: greedy (``beam`` 1) or beam
        search with GNMT's length penalty ``alpha``; with ``return_attention`` each carries
        its attention weights (the Transformer's: the last layer's cross-attention, averaged
        over heads). An empty source gives an empty output."""
        self._check_fitted("predict")
        check_decoding(sources, beam, n_best, alpha)
        tokens = [tokenize(s, self.source_tokens) for s in sources]
        bos, eos = self.target_vocab_.stoi[BOS], self.target_vocab_.stoi[EOS]
        found = decode_batches(
            self.model_.eval(),
            [self.source_vocab_.encode(t) for t in tokens],
            bos=bos,
            eos=eos,
            max_len=lambda longest: min(
                self.max_length, math.ceil(self.length_ratio_ * longest) + 5
            ),
            beams=beam,
            n_best=n_best,
            alpha=alpha,
            banned=[PAD_ID, UNK_ID, bos],
            return_weights=return_attention,
            device=self.device_,
            batch_size=PREDICT_BATCH,
        )
        return [[self._decoded(h, t) for h in hyps] for hyps, t in zip(found, tokens, strict=True)]

    def _decoded(self, h: Hypothesis, source: list[str]) -> Decoded:
        words = self.target_vocab_.decode(h.tokens)
        weights = None if h.attention is None else h.attention.float().numpy()
        return Decoded(
            detokenize(words, self.target_tokens), words, source, h.log_prob, h.score, weights
        )

    def predict(self, sources: Sequence[str], beam: int = 1, alpha: float = 0.6) -> list[str]:
        """The best output text of each source (see :meth:`decode`)."""
        return [d[0].text for d in self.decode(sources, beam, 1, alpha)]

    def evaluate(
        self,
        sources: Sequence[str],
        references: Sequence[str | Sequence[str]],
        beam: int = 1,
        alpha: float = 0.6,
    ) -> dict[str, float]:
        """Scores of the outputs against the ``references`` (one text, or several correct
        ones, per source), in %: ``exact`` (the share that equals a reference) and ``wer``
        (100 − exact: G2P's word error rate), ``per`` (token edit distance to the closest
        reference over its length), ``bleu`` and ``chrf`` (sacreBLEU; its "zh" tokenizer when
        the references are Chinese); and ``n``."""
        if len(references) != len(sources):
            raise DataError(
                f"references of Seq2Seq.evaluate must be one per source; got {len(references)} "
                f"for {len(sources)} sources. Pass a text or a list of texts for each.",
                param="references",
            )
        predictions = self.predict(sources, beam, alpha)
        refs = [[r] if isinstance(r, str) else list(r) for r in references]
        return sequence_scores(predictions, refs, lambda t: tokenize(t, self.target_tokens))

    # -- save / load -------------------------------------------------------------------------

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        """Write config.json, the two vocabularies, lengths.json and model.safetensors (in
        ``precision``: float32, float16, int8, or int4 — the embedding tables that are only
        looked up in 4 bits, the other matrices in int8; see :func:`seqlab.io.write_tensors`)
        to the folder ``path``; return it."""
        self._check_fitted("save")
        check("save", {"precision": one_of(*PRECISIONS, "int4")}, {"precision": precision})
        path = Path(path)
        self._save_params(path)
        self.source_vocab_.save(path / "source_vocab.json.gz")
        self.target_vocab_.save(path / "target_vocab.json.gz")
        write_json(
            path / "lengths.json",
            {"longest_source": self.longest_source_, "length_ratio": self.length_ratio_},
        )
        state = self.model_.state_dict()
        lookups = ["source_embedding.weight"]
        if self.model == "transformer":
            state.pop("out.weight")  # the target embedding's matrix; stored once
        else:
            lookups.append("target_embedding.weight")  # the Transformer's is the output layer
        write_weights(path, state, precision, lookups=lookups)
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Self:
        """Rebuild a model saved by :meth:`save`; it decodes alike."""
        path = Path(path)
        task = cls._load_params(path, device=device)
        task.source_vocab_ = Vocab.load(path / "source_vocab.json.gz")
        task.target_vocab_ = Vocab.load(path / "target_vocab.json.gz")
        lengths: Any = read_json(path / "lengths.json")
        task.longest_source_ = int(lengths["longest_source"])
        task.length_ratio_ = float(lengths["length_ratio"])
        task.device_ = resolve_device(device)
        task.history_ = []
        model = task._build()
        read_weights(model, path, ["out.weight"] if task.model == "transformer" else [])
        task.model_ = model.to(task.device_).eval()
        return task
