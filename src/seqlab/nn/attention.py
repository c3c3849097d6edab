r"""Attention from its equation, multi-head attention on the fused kernel, and the additive
and multiplicative scores of the recurrent encoder–decoders.

.. [1] Vaswani et al. (2017). Attention Is All You Need. NeurIPS. arXiv:1706.03762.
.. [2] Bahdanau, Cho & Bengio (2015). Neural Machine Translation by Jointly Learning to Align
       and Translate. ICLR. arXiv:1409.0473.
.. [3] Luong, Pham & Manning (2015). Effective Approaches to Attention-based Neural Machine
       Translation. EMNLP. arXiv:1508.04025.

where:
    N    batch size
    L    query (target) length
    S    key/value (source) length
    E    model width (d_model)
    h    heads; d_k = E / h per head
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from seqlab.errors import (
    ConfigError,
    ShapeError,
    check,
    message,
    one_of,
    positive_int,
    probability,
)

__all__ = [
    "Attention",
    "KVCache",
    "MultiHeadAttention",
    "causal_mask",
    "scaled_dot_product_attention",
]


@dataclass
class KVCache:
    """The keys and values of the steps a self-attention layer has seen, (N, h, S, d_k) each.

    Given to :meth:`MultiHeadAttention.forward` with ``cache=``, it is extended by the new
    steps' keys and values, so that generating one more token projects one step only and
    attends over the cached ones: the cost per token does not grow with recomputing the past.
    """

    keys: Tensor | None = None
    values: Tensor | None = None

    @property
    def length(self) -> int:
        """How many steps are cached."""
        return 0 if self.keys is None else self.keys.shape[2]

    def extend(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Append the new steps' keys and values; return all of them."""
        if self.keys is None or self.values is None:
            self.keys, self.values = k, v
        else:
            self.keys = torch.cat([self.keys, k], dim=2)
            self.values = torch.cat([self.values, v], dim=2)
        return self.keys, self.values


def scaled_dot_product_attention(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    mask: Tensor | None = None,
    dropout_p: float = 0.0,
    return_weights: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    r"""Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V, eq. (1) of [1].

    Args:
        q: (..., L, d_k) queries.
        k: (..., S, d_k) keys.
        v: (..., S, d_v) values.
        mask: boolean, broadcastable to (..., L, S); True where a query may attend to a key
            (the convention of ``torch.nn.functional.scaled_dot_product_attention``). A row
            with no True gives NaN, as softmax over nothing is undefined.
        dropout_p: dropout on the attention weights.
        return_weights: also return the weights softmax(Q Kᵀ / √d_k), (..., L, S).

    Returns:
        (..., L, d_v), and the weights when asked.
    """
    d_k = q.shape[-1]
    # Dividing by √d_k keeps the dot products at unit variance for unit-variance q and k,
    # so the softmax does not saturate as d_k grows ([1], section 3.2.1).
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., L, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    if dropout_p > 0:
        weights = nn.functional.dropout(weights, dropout_p)
    out = weights @ v  # (..., L, d_v)
    return (out, weights) if return_weights else out


def causal_mask(length: int, source_length: int | None = None, device=None) -> Tensor:
    """Boolean (L, S) mask, True where query step i may attend to key step j: j ≤ i when
    S = L; with S > L the queries are the last L of the S steps (the cached ones come
    first), so j ≤ S − L + i."""
    s = length if source_length is None else source_length
    return torch.ones(length, s, dtype=torch.bool, device=device).tril(diagonal=s - length)


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention, section 3.2.2 of [1].

    .. math::
        \mathrm{MultiHead}(Q, K, V) = \mathrm{Concat}(\mathrm{head}_1, \dots,
            \mathrm{head}_h) W^O, \quad
        \mathrm{head}_j = \mathrm{Attention}(Q W^Q_j, K W^K_j, V W^V_j)

    The projections are ``q_proj``, ``k_proj``, ``v_proj`` (E → E, the h heads side by side)
    and ``out_proj`` (W^O). The default path runs
    ``torch.nn.functional.scaled_dot_product_attention`` (flash / memory-efficient kernels
    where available); ``return_weights=True`` runs :func:`scaled_dot_product_attention`
    instead, so the weights can be looked at.

    ``forward(query, key=None, value=None, *, causal=False, key_padding_mask=None,
    attn_mask=None, return_weights=False, cache=None)``: query (N, L, E), key and value
    (N, S, E), default self-attention. ``cache`` (a :class:`KVCache`, self-attention only)
    holds the keys and values of earlier steps and is extended by these. ``key_padding_mask``
    (N, S) is True at padded keys (torch's ``nn.MultiheadAttention`` convention);
    ``attn_mask`` (L, S) or (N, L, S) is True where attention is allowed. Returns (N, L, E),
    and the weights (N, h, L, S) when asked.

    Example:
        >>> mha = MultiHeadAttention(d_model=16, num_heads=4)
        >>> out, w = mha(torch.randn(2, 5, 16), causal=True, return_weights=True)
        >>> out.shape, w.shape
        (torch.Size([2, 5, 16]), torch.Size([2, 4, 5, 5]))
    """

    def __init__(
        self, d_model: int, num_heads: int, dropout: float = 0.0, bias: bool = True
    ) -> None:
        super().__init__()
        rules = {"d_model": positive_int(), "num_heads": positive_int(), "dropout": probability()}
        values = {"d_model": d_model, "num_heads": num_heads, "dropout": dropout}
        check("MultiHeadAttention", rules, values)
        if d_model % num_heads:
            fix = f"Choose num_heads among the divisors of {d_model}, or change d_model."
            constraint = f"divisible by num_heads={num_heads}"
            raise ConfigError(
                message("d_model", "MultiHeadAttention", constraint, d_model, fix), param="d_model"
            )
        self.d_model = d_model
        self.num_heads = num_heads
        self.head_dim = d_model // num_heads
        self.dropout = dropout
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def forward(
        self,
        query: Tensor,
        key: Tensor | None = None,
        value: Tensor | None = None,
        *,
        causal: bool = False,
        key_padding_mask: Tensor | None = None,
        attn_mask: Tensor | None = None,
        return_weights: bool = False,
        cache: KVCache | None = None,
    ) -> Tensor | tuple[Tensor, Tensor]:
        if cache is not None and key is not None:
            raise ShapeError(
                "cache of MultiHeadAttention must come with self-attention; got a separate "
                "key. Cache the keys of a self-attention layer, or drop the cache.",
                param="cache",
            )
        key = query if key is None else key
        value = key if value is None else value
        for name, t in (("query", query), ("key", key), ("value", value)):
            if t.dim() != 3 or t.shape[-1] != self.d_model:
                raise ShapeError(
                    f"{name} of MultiHeadAttention must be a 3-D tensor (N, length, "
                    f"{self.d_model}); got shape {tuple(t.shape)}. Project the input to "
                    "d_model features and add a batch dimension.",
                    param=name,
                )
        n, length, _ = query.shape
        q = self._split(self.q_proj(query))  # (N, h, L, d_k)
        k = self._split(self.k_proj(key))  # (N, h, S, d_k)
        v = self._split(self.v_proj(value))  # (N, h, S, d_k)
        if cache is not None:
            k, v = cache.extend(k, v)  # (N, h, S_past + L, d_k)
        source = k.shape[2]
        mask = self._mask(n, length, source, causal, key_padding_mask, attn_mask, query.device)
        p = self.dropout if self.training else 0.0
        weights = None
        if return_weights:
            out, weights = scaled_dot_product_attention(q, k, v, mask, p, return_weights=True)
        elif mask is None:
            out = nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=p)
        else:
            out = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        out = out.transpose(1, 2).reshape(n, length, self.d_model)  # (N, L, h*d_k)
        out = self.out_proj(out)
        return (out, weights) if weights is not None else out

    def _split(self, x: Tensor) -> Tensor:
        n, length, _ = x.shape
        return x.view(n, length, self.num_heads, self.head_dim).transpose(1, 2)  # (N, h, L, d_k)

    @staticmethod
    def _mask(
        n: int,
        length: int,
        source: int,
        causal: bool,
        key_padding_mask: Tensor | None,
        attn_mask: Tensor | None,
        device: torch.device,
    ) -> Tensor | None:
        """Combine the three kinds of mask into one boolean (N|1, 1, L, S), True = attend."""
        mask = None
        if causal:
            mask = causal_mask(length, source, device)  # (L, S)
        if attn_mask is not None:
            allowed = attn_mask.to(torch.bool)
            mask = allowed if mask is None else mask & allowed
        if mask is not None and mask.dim() == 3:
            mask = mask.unsqueeze(1)  # (N, 1, L, S)
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (n, source):
                raise ShapeError(
                    f"key_padding_mask of MultiHeadAttention must have shape ({n}, {source}); "
                    f"got {tuple(key_padding_mask.shape)}. Mark padded keys with True.",
                    param="key_padding_mask",
                )
            keep = ~key_padding_mask.to(torch.bool)[:, None, None, :]  # (N, 1, 1, S)
            mask = keep if mask is None else mask & keep
        return mask

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, num_heads={self.num_heads}, dropout={self.dropout}"


class Attention(nn.Module):
    r"""score(s, m) over the memory, then softmax and the weighted sum of the memory.

    ``kind``: "additive" v_aᵀ tanh(W_q s + W_k k) [2], "dot" sᵀk / √H or "general"
    sᵀ W_a k / √H [3]: a query s (a decoder's state) scored against a key k_j per source step,
    the weights reading the memory m (:class:`~seqlab.models.seq2seq.RecurrentSeq2Seq` gives
    keys apart). Scaled by √H as the Transformer's [1]: a sum of H unit-scale products grows
    like √H and, unscaled, saturates the softmax (5,000 Tatoeba pairs: BLEU 3.2, scaled 9.9).
    :meth:`keys` computes what depends on the memory alone once per source (W_k m, W_aᵀ m),
    so a decoding step costs one (N, S, H) product.

    Example:
        >>> att = Attention("general", 8)
        >>> memory = torch.randn(2, 5, 8)
        >>> mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
        >>> context, weights = att(torch.randn(2, 8), att.keys(memory), memory, mask)
        >>> context.shape, weights[1, 3:].tolist()
        (torch.Size([2, 8]), [0.0, 0.0])
    """

    def __init__(self, kind: str, size: int) -> None:
        super().__init__()
        check("Attention", {"kind": one_of("additive", "dot", "general")}, {"kind": kind})
        self.kind = kind
        if kind == "additive":
            self.query = nn.Linear(size, size, bias=False)  # W_q
            self.key = nn.Linear(size, size)  # W_k
            self.v = nn.Linear(size, 1, bias=False)  # v_a
        elif kind == "general":
            self.key = nn.Linear(size, size, bias=False)  # W_a (applied to m: sᵀ(W_a m))

    def keys(self, memory: Tensor) -> Tensor:
        """(N, S, H) keys → what the score reads of them: k (dot), W_a k, W_k k."""
        return memory if self.kind == "dot" else self.key(memory)

    def forward(
        self, query: Tensor, keys: Tensor, memory: Tensor, mask: Tensor
    ) -> tuple[Tensor, Tensor]:
        """(N, H) query, (N, S, H) keys and memory, (N, S) mask → context (N, H), weights
        (N, S) (zero at padding, summing to 1)."""
        if self.kind == "additive":
            scores = self.v(torch.tanh(keys + self.query(query)[:, None])).squeeze(-1)  # (N, S)
        else:
            scores = torch.bmm(keys, query[:, :, None]).squeeze(-1) / math.sqrt(query.shape[-1])
        weights = scores.masked_fill(~mask, float("-inf")).softmax(-1)
        context = torch.bmm(weights[:, None], memory).squeeze(1)  # (N, H)
        return context, weights
