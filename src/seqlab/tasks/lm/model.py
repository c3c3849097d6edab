"""Language models and generation: predict the next token, then sample a text.

The tutorials' "sequence generation" shape (many-to-many, shifted by one): a
:class:`~seqlab.models.lm.LanguageModelNet` reads documents as parallel token streams
(:class:`~seqlab.data.streams.TokenStreams`) with truncated backpropagation through time, its
state carried across chunks and reset at document boundaries, trained by the one
:class:`~seqlab.train.Trainer`. Scores are in nats per token, bits per character and
perplexity; generation samples one token at a time, the recurrent state or the Transformer's
key/value cache carried, so a token costs the same however long the text is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from seqlab.data.streams import TokenStreams
from seqlab.data.tokens import PAD_ID, UNK_ID, JiebaTokenizer, Vocab
from seqlab.errors import (
    ConfigError,
    DataError,
    Rule,
    check,
    one_of,
    positive_int,
    probability,
)
from seqlab.estimator import Estimator
from seqlab.io import PRECISIONS, read_weights, write_weights
from seqlab.models.lm import LanguageModelNet, LMState
from seqlab.tasks.lm.decoding import Form, check_settings, sample
from seqlab.tasks.search import beam_search
from seqlab.train import Hooks, TrainConfig, Trainer, resolve_device
from seqlab.train.base import transformer_warmup
from seqlab.train.precision import arithmetic, resolve_precision

if TYPE_CHECKING:
    from typing import Self

__all__ = ["LanguageModel"]

BOS = "<s>"  # begins every document, so that its first token is predicted too
EOS = "</s>"  # ends every document: the model learns where a text stops
SEP = "<sep>"  # between a condition and its text, in a conditional model

ADAPTIVE_ABOVE = 2000  # tokens: softmax="auto" is adaptive for larger vocabularies
Document = tuple[str | None, str]  # (condition, text)
Texts = str | Sequence[str] | Sequence[tuple[str, str]]

_RULES = {
    "model": one_of("rnn", "lstm", "gru", "transformer"),
    "tokens": one_of("char", "word"),
    "hidden_size": positive_int(),
    "num_layers": positive_int(),
    "dropout": probability(),
    "context": positive_int(),
    "softmax": one_of("auto", "full", "adaptive"),
    "val_size": Rule("a fraction in [0, 1)", lambda v: 0 <= v < 1),
    "weight_decay": Rule(
        "None or a non-negative number",
        lambda v: v is None or (isinstance(v, int | float) and v >= 0),
    ),
    "warmup": Rule("None or an int >= 0", lambda v: v is None or (isinstance(v, int) and v >= 0)),
    "pack": Rule("True or False", lambda v: isinstance(v, bool)),
    "min_lr": Rule("a fraction in [0, 1]", lambda v: isinstance(v, int | float) and 0 <= v <= 1),
}


class LanguageModel(Estimator):
    """A character- (or jieba word-) level language model over any backbone of the zoo.

    Args:
        model: "rnn", "lstm", "gru" (truncated BPTT, state carried across chunks) or
            "transformer" (decoder-only, causal self-attention, a new context every chunk).
        tokens: "char" (every character a token) or "word" (jieba's words; text extra).
        hidden_size, num_layers, dropout, num_heads: the network's size.
        tie_weights: the output layer shares the embedding's matrix (a full softmax).
        softmax: "full", "adaptive" (the frequent tokens in the head, the rare in smaller
            clusters: exact, and several times faster over thousands of characters) or
            "auto" (adaptive above 2,000 tokens).
        context: T, tokens per chunk (how far back a step's gradient reaches; the
            Transformer's context).
        epochs, batch_size, lr, patience: training, early stopping on the validation texts
            given to fit, else on the last ``val_size`` of the training texts.
        val_size: the share held out when no validation is given; 0 trains on every text
            for ``epochs`` and keeps the last weights (no early stopping).
        weight_decay: AdamW's decay; None: 0.1 for the Transformer (GPT's), 1e-4 for the
            recurrent models.
        warmup: steps of linear warm-up; None: a twentieth of the training steps, at most
            200, for the Transformer, none for the recurrent models.
        min_lr: where the cosine schedule ends, as a share of ``lr``.
        pack: in training, each row of a batch reads its documents back to back, the state
            carried across them (every chunk full: 1.6× the characters per second on Tang
            poems than one document per row, padded at its end); scoring reads each alone.
        seed, device, verbose: as for every estimator.
        precision: the training arithmetic: "fp32", "bf16" (autocast, float32 weights) or
            "auto" (bf16 where the device has it natively, see seqlab.train.precision).

    Example:
        >>> lm = LanguageModel(model="gru", hidden_size=32, epochs=2, context=16)
        >>> lm.fit(["to be or not to be, that is the question"] * 20)   # doctest: +SKIP
        >>> lm.generate("to be", max_tokens=20, seed=0)                  # doctest: +SKIP
    """

    def __init__(
        self,
        model: str = "lstm",
        tokens: str = "char",
        hidden_size: int = 256,
        num_layers: int = 2,
        dropout: float = 0.1,
        num_heads: int = 4,
        tie_weights: bool = True,
        softmax: str = "auto",
        context: int = 128,
        epochs: int = 10,
        batch_size: int = 64,
        lr: float = 2e-3,
        patience: int | None = 3,
        val_size: float = 0.1,
        weight_decay: float | None = None,
        warmup: int | None = None,
        min_lr: float = 0.1,
        pack: bool = True,
        seed: int = 0,
        device: str = "auto",
        verbose: bool = False,
        precision: str = "auto",
    ) -> None:
        self.model = model
        self.tokens = tokens
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.num_heads = num_heads
        self.tie_weights = tie_weights
        self.softmax = softmax
        self.context = context
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.patience = patience
        self.val_size = val_size
        self.weight_decay = weight_decay
        self.warmup = warmup
        self.min_lr = min_lr
        self.pack = pack
        self.seed = seed
        self.device = device
        self.verbose = verbose
        self.precision = precision

    # -- tokens ------------------------------------------------------------------------------

    def _tokenize(self, text: str) -> list[str]:
        if self.tokens == "char":
            return list(text)
        return self._jieba()(text)

    def _jieba(self) -> JiebaTokenizer:
        if not hasattr(self, "_jieba_tokenizer"):
            self._jieba_tokenizer = JiebaTokenizer()
        return self._jieba_tokenizer

    @property
    def conditional(self) -> bool:
        """Whether the model was trained on (condition, text) pairs."""
        self._check_fitted("conditional")
        return SEP in self.vocab_

    def encode(self, text: str, condition: str | None = None) -> list[int]:
        """The ids the model reads for ``text``: the begin-of-text id, the condition's tokens
        and the separator (a conditional model), the text's tokens, the end-of-text id."""
        head = [self.vocab_.stoi[BOS]]
        if self.conditional:
            head += [*self.vocab_.encode(self._tokenize(condition or "")), self.vocab_.stoi[SEP]]
        return [*head, *self.vocab_.encode(self._tokenize(text)), self.vocab_.stoi[EOS]]

    def _encoded(self, docs: list[Document]) -> tuple[list[list[int]], list[int]]:
        """(ids, targets not scored) of each document: a condition is read, not predicted."""
        ids = [self.encode(text, condition) for condition, text in docs]
        if not self.conditional:
            return ids, [0] * len(ids)
        # <s>, the condition's tokens, <sep>: every target before the text's first is skipped
        return ids, [len(self._tokenize(condition or "")) + 1 for condition, _ in docs]

    def _streams(self, docs: list[Document]) -> TokenStreams:
        ids, skip = self._encoded(docs)
        return TokenStreams(ids, self.context, self.device_, skip, pack=self.pack)

    @staticmethod
    def _documents(texts: Texts, what: str) -> list[Document]:
        docs = [texts] if isinstance(texts, str) else list(texts)
        pairs = [
            (None, d) if isinstance(d, str) else tuple(d) if isinstance(d, tuple | list) else (d,)
            for d in docs
        ]
        if not pairs or not all(
            len(p) == 2 and isinstance(p[1], str) and isinstance(p[0], str | None) for p in pairs
        ):
            raise DataError(
                f"texts of LanguageModel.{what} must be a text, a list of texts or of "
                f"(condition, text) pairs, not empty; got {type(texts).__name__} of "
                f"{len(docs)}. Pass str, list[str] or list[tuple[str, str]].",
                param="texts",
            )
        kept = [(c, t) for c, t in pairs if t]
        if not kept:
            raise DataError(
                f"texts of LanguageModel.{what} must hold at least one character; got "
                f"{len(docs)} empty. Pass the texts themselves.",
                param="texts",
            )
        return kept

    # -- fit ---------------------------------------------------------------------------------

    def fit(
        self,
        texts: Texts,
        validation: Texts | None = None,
        each_epoch: Callable[[LanguageModel], str] | None = None,
    ) -> Self:
        """Train on ``texts``: documents (state never crosses from one to the next), each a
        text or a (condition, text) pair — a title, a tune name, a keyword — so that the
        model learns to write a text for a condition (one-to-many). Early stopping on
        ``validation``, else on the last ``val_size`` of the tokens (of one text) or of the
        documents. ``each_epoch(lm)``, called after every epoch (a held-out score for a
        learning curve, say), returns a note for the epoch's line. Returns self."""
        check("LanguageModel", _RULES, self.get_params())
        docs = self._documents(texts, "fit")
        # the vocabulary is every token of the texts given to fit, the share held out for
        # early stopping included: training on the rest must not turn them into <unk>
        special = [BOS, EOS] + ([SEP] if any(c is not None for c, _ in docs) else [])
        seen = Vocab.build(self._tokenize(t) for d in docs for t in d if t)
        self.vocab_ = Vocab([*special, *seen.itos])
        if validation is not None:
            held = self._documents(validation, "fit")
        elif self.val_size > 0:
            docs, held = _hold_out(docs, self.val_size)
        else:
            held = []
        self.device_ = resolve_device(self.device)
        torch.manual_seed(self.seed)
        self.model_ = self._build().to(self.device_)
        train = self._streams(docs)
        val = self._streams(held) if held else None
        transformer = self.model == "transformer"
        steps = train.steps(self.batch_size) * max(self.epochs, 1)
        warmup = self.warmup
        if warmup is None:
            warmup = transformer_warmup(steps) if transformer else 0
        decay = self.weight_decay
        if decay is None:
            decay = 0.1 if transformer else 1e-4
        config = TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=decay,
            warmup=warmup,
            min_lr=self.min_lr,
            patience=self.patience if val is not None else None,
            seed=self.seed,
            verbose=self.verbose,
            **arithmetic(self.precision, self.device_, f"lm-{self.model}"),
        )
        first = docs[0][1][: 2 if self.tokens == "char" else 0]

        def note(_: object) -> str:
            said = [] if each_epoch is None else [each_epoch(self)]
            if self.verbose:
                said.append(f"sample: {self.generate(first, 30, seed=0)!r}")
            self.model_.train()
            return "; ".join(s for s in said if s)

        hooks = Hooks(note=note if self.verbose or each_epoch is not None else None)
        result = Trainer(config, loss=self.model_.loss).fit(
            self.model_, train, val, description=f"{self.model} LM", hooks=hooks
        )
        self.history_ = result.history
        self.model_.eval()
        return self

    def _build(self) -> LanguageModelNet:
        return LanguageModelNet(
            len(self.vocab_),
            self.model,
            self.hidden_size,
            self.num_layers,
            self.dropout,
            self.num_heads,
            self.tie_weights,
            self._cutoffs(),
            self.context,
        )

    def _cutoffs(self) -> list[int] | None:
        """The adaptive softmax's clusters (the vocabulary is in order of frequency): the
        most frequent 10 % of the tokens in the head, the next 30 %, the rest."""
        size = len(self.vocab_)
        if self.softmax == "full" or (self.softmax == "auto" and size <= ADAPTIVE_ABOVE):
            return None
        first = max(1, round(size * 0.1))
        second = max(first + 1, round(size * 0.4))
        return [first, second] if second < size - 1 else [first]

    # -- scores ------------------------------------------------------------------------------

    def evaluate(self, texts: Texts) -> dict[str, float]:
        """On held-out ``texts`` (or (condition, text) pairs): ``loss`` (nats per token),
        ``bits_per_char`` (the same total over the characters) and ``perplexity`` (e^loss).
        Every token of the texts is scored once, the end of each text too; conditions are
        read, not scored."""
        self._check_fitted("evaluate")
        docs = self._documents(texts, "evaluate")
        data = self._streams(docs)
        arithmetic = resolve_precision(self.precision, self.device_, f"lm-{self.model}")
        config = TrainConfig(batch_size=self.batch_size, precision=arithmetic)
        mean = Trainer(config, loss=self.model_.loss).evaluate(self.model_, data)
        nats = mean * len(data)
        chars = sum(len(t) for _, t in docs)
        return {
            "loss": mean,
            "bits_per_char": nats / chars / math.log(2),
            "perplexity": math.exp(mean),
        }

    # -- generation --------------------------------------------------------------------------

    @torch.no_grad()
    def generate(
        self,
        prefix: str = "",
        max_tokens: int = 200,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
        beam: int = 1,
        condition: str | None = None,
        form: str | None = None,
        acrostic: str | None = None,
        rhyme: bool = False,
    ) -> str:
        """``prefix`` continued until the end-of-text token or ``max_tokens`` tokens.

        ``temperature`` 0 is greedy (the most probable token each step); otherwise tokens are
        sampled from the softmax at that temperature, over the ``top_k`` most probable and/or
        the smallest set whose probability reaches ``top_p`` (nucleus sampling); ``seed``
        makes sampling repeatable. ``beam`` > 1 searches for the most probable text instead
        (beam search with GNMT's length penalty). ``condition``: what a conditional model
        writes for (a title). ``form`` ("5x4": four lines of five characters) and
        ``acrostic`` (line i begins with its i-th character) are enforced on every step, and
        the poem ends with its last line; with ``rhyme`` (sampling and a form only) lines 4,
        6, ... end in the rhyme of line 2 (:mod:`seqlab.data.rhyme`, the text extra).
        """
        self._check_fitted("generate")
        check_settings(
            "LanguageModel.generate",
            max_tokens=max_tokens,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            beam=beam,
        )
        shape = Form.parse(form, acrostic)
        if rhyme and (shape is None or beam > 1):
            raise ConfigError(
                "rhyme of LanguageModel.generate needs a form and sampling (beam=1); got "
                f"form={form!r}, acrostic={acrostic!r}, beam={beam}. Give form='5x4' and "
                "beam=1, or rhyme=False.",
                param="rhyme",
            )
        if shape is not None:
            if self.tokens != "char":
                raise ConfigError(
                    "form of LanguageModel.generate needs a character model; got "
                    f"tokens={self.tokens!r}. Train with tokens='char'.",
                    param="form",
                )
            shape.check_prefix(prefix)
        kind = "characters" if self.tokens == "char" else "words"
        for what, text in (("prefix", prefix), ("condition", condition or "")):
            unknown = [t for t in self._tokenize(text) if t not in self.vocab_]
            if unknown:
                raise DataError(
                    f"{what} of LanguageModel.generate must use {kind} the model has seen; "
                    f"got {unknown[0]!r}, which its training texts never had. Leave it out or "
                    "choose another.",
                    param=what,
                )
        masks: list[Tensor]
        if shape is None:
            banned = torch.zeros(len(self.vocab_), dtype=torch.bool)
            banned[
                [PAD_ID, UNK_ID, *(self.vocab_.stoi[t] for t in (BOS, SEP) if t in self.vocab_)]
            ] = True
            masks = [~banned] * max_tokens
        else:
            masks = list(shape.masks(self.vocab_.itos, len(prefix)))
            if not masks:
                return prefix
        ids = self.encode(prefix, condition)[:-1]  # the prefix read, its end not
        self.model_.eval()
        state = LMState()
        if len(ids) > 1:  # all of the prefix but its last token, which the search feeds first
            _, state = self.model_(torch.tensor([ids[:-1]], device=self.device_), state=state)
        end = self.vocab_.stoi[EOS]
        if beam > 1:
            found = beam_search(
                self.model_,
                state,
                lengths=[0],
                bos=ids[-1],
                eos=end,
                max_len=len(masks),
                beams=beam,
                masks=masks,
                device=self.device_,
            )
            picked = found[0][0].tokens
        else:

            def step(token: Tensor) -> Tensor:
                nonlocal state
                logp, state, _ = self.model_.step(token.to(self.device_), state)
                return logp

            generator = torch.Generator(device="cpu")
            generator.manual_seed(self.seed if seed is None else seed)
            picked = sample(
                step,
                step(torch.tensor([ids[-1]]))[0],
                masks=masks,
                end=end,
                temperature=temperature,
                top_k=top_k,
                top_p=top_p,
                generator=generator,
                rhymer=shape.rhymer(self.vocab_.itos, prefix) if rhyme and shape else None,
            )
        return prefix + "".join(self.vocab_.itos[i] for i in picked if i != end)

    def predict(self, prefixes: Sequence[str], max_tokens: int = 20) -> list[str]:
        """The greedy continuation (up to ``max_tokens`` tokens) of each prefix."""
        self._check_fitted("predict")
        return [self.generate(p, max_tokens, temperature=0)[len(p) :] for p in prefixes]

    # -- save / load -------------------------------------------------------------------------

    def save(self, path: str | Path, precision: str = "float32") -> Path:
        """Write config.json, vocab.json.gz and model.safetensors (a tied output matrix
        once) to the folder ``path``; return it. ``precision``: float32, float16, int8, or
        int4 (an untied embedding, only looked up, in 4 bits, the other matrices in int8;
        see :func:`seqlab.io.write_tensors`)."""
        self._check_fitted("save")
        check("save", {"precision": one_of(*PRECISIONS, "int4")}, {"precision": precision})
        path = Path(path)
        self._save_params(path)
        self.vocab_.save(path / "vocab.json.gz")
        state = self.model_.state_dict()
        if self.model_.tied:
            state.pop("head.weight")  # the embedding's matrix; safetensors stores it once
        # an untied embedding is only looked up; a tied one is also the output layer
        write_weights(
            path, state, precision, lookups=() if self.model_.tied else ["embedding.weight"]
        )
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Self:
        """Rebuild a language model saved by :meth:`save`; it scores and generates alike."""
        path = Path(path)
        lm = cls._load_params(path, device=device)
        lm.vocab_ = Vocab.load(path / "vocab.json.gz")
        lm.device_ = resolve_device(device)
        lm.history_ = []
        model = lm._build()
        read_weights(model, path, ["head.weight"] if model.tied else [])
        lm.model_ = model.to(lm.device_).eval()
        return lm


def _hold_out(docs: list[Document], share: float) -> tuple[list[Document], list[Document]]:
    """(training, validation) documents: the last ``share`` of one text's characters, or of
    the documents (at least one each way)."""
    if len(docs) == 1:
        condition, text = docs[0]
        cut = int(len(text) * (1 - share))
        return [(condition, text[:cut])], [(condition, text[cut:])]
    n = max(1, min(len(docs) - 1, round(len(docs) * share)))
    return docs[: len(docs) - n], docs[len(docs) - n :]
