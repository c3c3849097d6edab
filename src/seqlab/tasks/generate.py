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
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from torch import Tensor, nn

from seqlab.data.batches import IGNORE
from seqlab.data.streams import TokenStreams
from seqlab.data.tokens import UNK_ID, JiebaTokenizer, Vocab
from seqlab.errors import CheckpointError, DataError, Rule, check, one_of, positive_int, probability
from seqlab.estimator import Estimator
from seqlab.io import read_tensors, write_tensors
from seqlab.models.lm import LanguageModelNet
from seqlab.train import TrainConfig, Trainer, resolve_device

if TYPE_CHECKING:
    from typing import Self

__all__ = ["LanguageModel"]

BOS = "<s>"  # begins every document, so that its first token is predicted too

_RULES = {
    "model": one_of("rnn", "lstm", "gru", "transformer"),
    "tokens": one_of("char", "word"),
    "hidden_size": positive_int(),
    "num_layers": positive_int(),
    "dropout": probability(),
    "context": positive_int(),
    "val_size": Rule("a fraction in (0, 1)", lambda v: 0 < v < 1),
}


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy per real target (nats), padding left out."""
    return nn.functional.cross_entropy(logits.transpose(1, 2), targets, ignore_index=IGNORE)


class LanguageModel(Estimator):
    """A character- (or jieba word-) level language model over any backbone of the zoo.

    Args:
        model: "rnn", "lstm", "gru" (truncated BPTT, state carried across chunks) or
            "transformer" (decoder-only, causal self-attention, a new context every chunk).
        tokens: "char" (every character a token) or "word" (jieba's words; text extra).
        hidden_size, num_layers, dropout, num_heads: the network's size.
        tie_weights: the output layer shares the embedding's matrix.
        context: T, tokens per chunk (how far back a step's gradient reaches; the
            Transformer's context).
        epochs, batch_size, lr, patience: training, early stopping on the validation texts
            given to fit, else on the last ``val_size`` of the training texts.
        val_size: the share held out when no validation is given.
        seed, device, verbose: as for every estimator.

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
        context: int = 128,
        epochs: int = 10,
        batch_size: int = 64,
        lr: float = 2e-3,
        patience: int | None = 3,
        val_size: float = 0.1,
        seed: int = 0,
        device: str = "auto",
        verbose: bool = False,
    ) -> None:
        self.model = model
        self.tokens = tokens
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.num_heads = num_heads
        self.tie_weights = tie_weights
        self.context = context
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.patience = patience
        self.val_size = val_size
        self.seed = seed
        self.device = device
        self.verbose = verbose

    # -- tokens ------------------------------------------------------------------------------

    def _tokenize(self, text: str) -> list[str]:
        if self.tokens == "char":
            return list(text)
        return self._jieba()(text)

    def _jieba(self) -> JiebaTokenizer:
        if not hasattr(self, "_jieba_tokenizer"):
            self._jieba_tokenizer = JiebaTokenizer()
        return self._jieba_tokenizer

    def _detokenize(self, tokens: Sequence[str]) -> str:
        return "".join(tokens)

    def encode(self, text: str) -> list[int]:
        """The ids the model reads for ``text``: the begin-of-text id, then its tokens'."""
        return [self.vocab_.stoi[BOS], *self.vocab_.encode(self._tokenize(text))]

    @staticmethod
    def _documents(texts: str | Sequence[str], what: str) -> list[str]:
        docs = [texts] if isinstance(texts, str) else list(texts)
        if not docs or not any(docs) or not all(isinstance(d, str) for d in docs):
            raise DataError(
                f"texts of LanguageModel.{what} must be a text or a list of texts, not empty; "
                f"got {type(texts).__name__} of {len(docs)}. Pass str or list[str]."
            )
        return [d for d in docs if d]

    # -- fit ---------------------------------------------------------------------------------

    def fit(
        self, texts: str | Sequence[str], validation: str | Sequence[str] | None = None
    ) -> Self:
        """Train on ``texts`` (documents; state never crosses from one to the next), with
        early stopping on ``validation``, else on the last ``val_size`` of the tokens (of the
        one text) or of the documents. Returns self."""
        check("LanguageModel", _RULES, self.get_params())
        docs = self._documents(texts, "fit")
        if validation is None:
            docs, held = _hold_out(docs, self.val_size)
        else:
            held = self._documents(validation, "fit")
        self.device_ = resolve_device(self.device)
        self.vocab_ = Vocab([BOS, *Vocab.build(self._tokenize(d) for d in docs).itos])
        torch.manual_seed(self.seed)
        self.model_ = self._build().to(self.device_)
        train = TokenStreams([self.encode(d) for d in docs], self.context, self.device_)
        val = TokenStreams([self.encode(d) for d in held], self.context, self.device_)
        config = TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            patience=self.patience,
            seed=self.seed,
            verbose=self.verbose,
        )
        result = Trainer(config, loss=_loss).fit(self.model_, train, val, f"{self.model} LM")
        self.history_ = result.history
        self.model_.eval()
        return self

    def _build(self) -> LanguageModelNet:
        return LanguageModelNet(
            len(self.vocab_), self.model, self.hidden_size, self.num_layers, self.dropout,
            self.num_heads, self.tie_weights,
        )  # fmt: skip

    # -- scores ------------------------------------------------------------------------------

    def evaluate(self, texts: str | Sequence[str]) -> dict[str, float]:
        """On held-out ``texts``: ``loss`` (nats per token), ``bits_per_char`` (the same
        total over the characters) and ``perplexity`` (e^loss), every token scored once."""
        self._check_fitted("evaluate")
        docs = self._documents(texts, "evaluate")
        encoded = [self.encode(d) for d in docs]
        data = TokenStreams(encoded, self.context, self.device_)
        mean = Trainer(TrainConfig(batch_size=self.batch_size), loss=_loss).evaluate(
            self.model_, data
        )
        nats = mean * len(data)
        chars = sum(len(d) for d in docs)
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
    ) -> str:
        """``prefix`` continued by ``max_tokens`` tokens. ``temperature`` 0 is greedy (the
        most probable token each step); otherwise tokens are sampled from the softmax at that
        temperature, over the ``top_k`` most probable and/or the smallest set whose
        probability reaches ``top_p`` (nucleus sampling). ``seed`` makes sampling repeatable.
        """
        self._check_fitted("generate")
        check(
            "LanguageModel.generate",
            {
                "max_tokens": positive_int(),
                "temperature": Rule("a number ≥ 0", lambda v: v >= 0, "Use 0 for greedy."),
                "top_k": Rule("None or a positive integer", lambda v: v is None or v > 0),
                "top_p": Rule("None or in (0, 1]", lambda v: v is None or 0 < v <= 1),
            },
            {"max_tokens": max_tokens, "temperature": temperature, "top_k": top_k, "top_p": top_p},
        )
        tokens = self._tokenize(prefix)
        unknown = [t for t in tokens if t not in self.vocab_]
        if unknown:
            raise DataError(
                f"prefix of LanguageModel.generate must use tokens the model has seen; got "
                f"{unknown[0]!r}, which the training texts never had. Leave it out."
            )
        generator = torch.Generator(device="cpu")
        generator.manual_seed(self.seed if seed is None else seed)
        self.model_.eval()
        ids = torch.tensor([[self.vocab_.stoi[BOS], *self.vocab_.encode(tokens)]])
        logits, state = self.model_(ids.to(self.device_))
        out: list[str] = []
        for _ in range(max_tokens):
            nxt = self._pick(logits[0, -1].float().cpu(), temperature, top_k, top_p, generator)
            out.append(self.vocab_.itos[nxt])
            step = torch.tensor([[nxt]], device=self.device_)
            logits, state = self.model_(step, state=state)
        return prefix + self._detokenize(out)

    def _pick(
        self,
        logits: Tensor,
        temperature: float,
        top_k: int | None,
        top_p: float | None,
        generator: torch.Generator,
    ) -> int:
        """One token id from the next-token logits (V,); special tokens never come out."""
        logits = logits.clone()
        logits[[0, UNK_ID, self.vocab_.stoi[BOS]]] = -math.inf  # <pad>, <unk>, <s>
        if temperature == 0:
            return int(logits.argmax())
        logits = logits / temperature
        if top_k is not None:
            kth = torch.topk(logits, min(top_k, len(logits))).values[-1]
            logits[logits < kth] = -math.inf
        probs = logits.softmax(-1)
        if top_p is not None:
            sorted_p, order = probs.sort(descending=True)
            # keep the smallest prefix of the sorted tokens whose mass reaches top_p
            outside = sorted_p.cumsum(0) - sorted_p >= top_p
            probs[order[outside]] = 0.0
            probs = probs / probs.sum()
        return int(torch.multinomial(probs, 1, generator=generator))

    def predict(self, prefixes: Sequence[str], max_tokens: int = 20) -> list[str]:
        """The greedy continuation (``max_tokens`` tokens) of each prefix."""
        self._check_fitted("predict")
        return [self.generate(p, max_tokens, temperature=0)[len(p) :] for p in prefixes]

    # -- save / load -------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write config.json, vocab.json.gz and model.safetensors (a tied output matrix
        once) to the folder ``path``; return it."""
        self._check_fitted("save")
        path = Path(path)
        self._save_params(path)
        self.vocab_.save(path / "vocab.json.gz")
        state = self.model_.state_dict()
        if self.model_.tied:
            state.pop("head.weight")  # the embedding's matrix; safetensors stores it once
        write_tensors(path / "model.safetensors", state)
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
        missing, _ = model.load_state_dict(read_tensors(path / "model.safetensors"), strict=False)
        if missing not in ([], ["head.weight"] if model.tied else []):
            raise CheckpointError(
                f"model.safetensors of {str(path)!r} must hold every weight of its config; got "
                f"none for {missing[:3]}. Save the model again."
            )
        lm.model_ = model.to(lm.device_).eval()
        return lm


def _hold_out(docs: list[str], share: float) -> tuple[list[str], list[str]]:
    """(training, validation) texts: the last ``share`` of one text's characters, or of the
    documents (at least one each way)."""
    if len(docs) == 1:
        cut = int(len(docs[0]) * (1 - share))
        return [docs[0][:cut]], [docs[0][cut:]]
    n = max(1, min(len(docs) - 1, round(len(docs) * share)))
    return docs[: len(docs) - n], docs[len(docs) - n :]
