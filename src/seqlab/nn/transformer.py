r"""Positional encoding and Transformer encoder/decoder blocks.

.. [1] Vaswani et al. (2017). Attention Is All You Need. NeurIPS. arXiv:1706.03762.
.. [2] Xiong et al. (2020). On Layer Normalization in the Transformer Architecture. ICML.
       arXiv:2002.04745 (why pre-norm trains without warm-up).

Sub-layers keep the names of ``torch.nn.TransformerEncoderLayer`` (``self_attn``, ``linear1``,
``linear2``, ``norm1``, ``norm2``; ``multihead_attn`` and ``norm3`` in the decoder), so a
reader can set the two side by side; the tests copy weights between them and compare.

where:
    N    batch size
    L    target length (decoder input)
    S    source length (encoder input, the decoder's memory)
    E    d_model
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from seqlab.errors import ShapeError, check, one_of, positive_int
from seqlab.nn.attention import KVCache, MultiHeadAttention

__all__ = [
    "PositionalEncoding",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "sinusoidal_positional_encoding",
]


def sinusoidal_positional_encoding(length: int, d_model: int, base: float = 10000.0) -> Tensor:
    r"""The fixed sinusoids of [1], section 3.5, as a (length, d_model) float32 tensor.

    .. math::
        PE(pos, 2i)   = \sin(pos / 10000^{2i / d_{model}}) \\
        PE(pos, 2i+1) = \cos(pos / 10000^{2i / d_{model}})

    Each pair of columns is one frequency, from 1 down to 1/10000, so any fixed offset is a
    linear function (a rotation) of the encoding. For odd ``d_model`` the last column is a
    sine with no cosine partner.
    """
    check(
        "sinusoidal_positional_encoding",
        {"length": positive_int(), "d_model": positive_int()},
        {"length": length, "d_model": d_model},
    )
    pos = torch.arange(length, dtype=torch.float64).unsqueeze(1)  # (length, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (ceil(d_model/2),)
    angle = pos / base ** (two_i / d_model)  # (length, ceil(d_model/2))
    pe = torch.zeros(length, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe.float()


class PositionalEncoding(nn.Module):
    """Adds the sinusoidal encoding to (N, L, E) inputs, then dropout ([1], section 5.4)."""

    def __init__(self, d_model: int, max_len: int = 5000, dropout: float = 0.0) -> None:
        super().__init__()
        self.pe: Tensor
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model), False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(x + self.pe[: x.shape[1]])


def _activation(name: str) -> nn.Module:
    return nn.GELU() if name == "gelu" else nn.ReLU()


_LAYER_RULES = {"activation": one_of("relu", "gelu")}


class TransformerEncoderLayer(nn.Module):
    r"""Self-attention then a position-wise feed-forward net, each in a residual branch.

    Pre-norm (``norm_first=True``, the default, [2]):
        x = x + Dropout(SelfAttn(LN(x)));  x = x + Dropout(FF(LN(x)))
    Post-norm (the original of [1]):
        x = LN(x + Dropout(SelfAttn(x)));  x = LN(x + Dropout(FF(x)))
    with FF(x) = W_2 Dropout(act(W_1 x + b_1)) + b_2.

    ``forward(x, *, causal=False, key_padding_mask=None, return_weights=False, cache=None)``:
    x (N, L, E); returns (N, L, E), and the attention weights (N, h, L, S) when asked.
    ``cache``: a :class:`~seqlab.nn.attention.KVCache` of the earlier steps (see there).
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        activation: str = "gelu",
        norm_first: bool = True,
        layer_norm_eps: float = 1e-5,
    ) -> None:
        super().__init__()
        check("TransformerEncoderLayer", _LAYER_RULES, {"activation": activation})
        dim_feedforward = dim_feedforward or 4 * d_model
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.activation = _activation(activation)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def _ff(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(
        self,
        x: Tensor,
        *,
        causal: bool = False,
        key_padding_mask: Tensor | None = None,
        return_weights: bool = False,
        cache: KVCache | None = None,
    ) -> Tensor | tuple[Tensor, Tensor]:
        def attend(y: Tensor) -> tuple[Tensor, Tensor | None]:
            out = self.self_attn(
                y,
                causal=causal,
                key_padding_mask=key_padding_mask,
                return_weights=return_weights,
                cache=cache,
            )
            a, w = out if isinstance(out, tuple) else (out, None)
            return self.dropout1(a), w

        if self.norm_first:
            a, w = attend(self.norm1(x))
            x = x + a
            x = x + self._ff(self.norm2(x))
        else:
            a, w = attend(x)
            x = self.norm1(x + a)
            x = self.norm2(x + self._ff(x))
        return (x, w) if w is not None else x


class TransformerDecoderLayer(nn.Module):
    r"""Causal self-attention, cross-attention over the encoder's memory, then feed-forward.

    Each of the three sits in a residual branch with LayerNorm before (pre-norm, default) or
    after (post-norm, [1]) it. ``forward(x, memory, *, causal=True, key_padding_mask=None,
    memory_key_padding_mask=None, return_weights=False, cache=None)``: x (N, L, E), memory
    (N, S, E); returns (N, L, E), and ``{"self": (N, h, L, L), "cross": (N, h, L, S)}`` when
    asked. ``cache``: the self-attention's :class:`~seqlab.nn.attention.KVCache` of the
    earlier target steps, so that decoding feeds one new step at a time.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        activation: str = "gelu",
        norm_first: bool = True,
        layer_norm_eps: float = 1e-5,
    ) -> None:
        super().__init__()
        check("TransformerDecoderLayer", _LAYER_RULES, {"activation": activation})
        dim_feedforward = dim_feedforward or 4 * d_model
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.multihead_attn = MultiHeadAttention(d_model, num_heads, dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.activation = _activation(activation)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        *,
        causal: bool = True,
        key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        return_weights: bool = False,
        cache: KVCache | None = None,
    ) -> Tensor | tuple[Tensor, dict[str, Tensor]]:
        weights: dict[str, Tensor] = {}

        def self_block(y: Tensor) -> Tensor:
            out = self.self_attn(
                y,
                causal=causal,
                key_padding_mask=key_padding_mask,
                return_weights=return_weights,
                cache=cache,
            )
            if isinstance(out, tuple):
                out, weights["self"] = out
            return self.dropout1(out)

        def cross_block(y: Tensor) -> Tensor:
            out = self.multihead_attn(
                y, memory, key_padding_mask=memory_key_padding_mask, return_weights=return_weights
            )
            if isinstance(out, tuple):
                out, weights["cross"] = out
            return self.dropout2(out)

        def ff_block(y: Tensor) -> Tensor:
            return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(y)))))

        if self.norm_first:
            x = x + self_block(self.norm1(x))
            x = x + cross_block(self.norm2(x))
            x = x + ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self_block(x))
            x = self.norm2(x + cross_block(x))
            x = self.norm3(x + ff_block(x))
        return (x, weights) if return_weights else x


class TransformerEncoder(nn.Module):
    """``num_layers`` encoder layers; with pre-norm, a final LayerNorm closes the stack.

    Takes the arguments of :class:`TransformerEncoderLayer` plus ``num_layers``. With
    ``return_weights=True`` returns ``(x, [weights of each layer])``. With ``causal=True``
    it is a decoder-only stack (GPT's); ``caches``, one :class:`~seqlab.nn.attention.KVCache`
    per layer, let it take one new step at a time (generation) with the results of taking all
    the steps at once.

    Example:
        >>> enc = TransformerEncoder(d_model=16, num_heads=4, num_layers=2)
        >>> enc(torch.randn(3, 7, 16)).shape
        torch.Size([3, 7, 16])
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        num_layers: int,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        activation: str = "gelu",
        norm_first: bool = True,
    ) -> None:
        super().__init__()
        check("TransformerEncoder", {"num_layers": positive_int()}, {"num_layers": num_layers})
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(
                d_model, num_heads, dim_feedforward, dropout, activation, norm_first
            )
            for _ in range(num_layers)
        )
        # Pre-norm leaves the residual stream un-normalised; one last LayerNorm fixes its scale.
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()

    def forward(
        self,
        x: Tensor,
        *,
        causal: bool = False,
        key_padding_mask: Tensor | None = None,
        return_weights: bool = False,
        caches: Sequence[KVCache] | None = None,
    ) -> Tensor | tuple[Tensor, list[Tensor]]:
        if caches is not None and len(caches) != len(self.layers):
            raise ShapeError(
                f"caches of TransformerEncoder must be one per layer; got {len(caches)} for "
                f"{len(self.layers)} layers. Pass [KVCache() for _ in range(num_layers)].",
                param="caches",
            )
        weights = []
        for i, layer in enumerate(self.layers):
            out = layer(
                x,
                causal=causal,
                key_padding_mask=key_padding_mask,
                return_weights=return_weights,
                cache=None if caches is None else caches[i],
            )
            if return_weights:
                x, w = out
                weights.append(w)
            else:
                x = out
        x = self.norm(x)
        return (x, weights) if return_weights else x


class TransformerDecoder(nn.Module):
    """``num_layers`` decoder layers over an encoder's memory; a final LayerNorm with pre-norm.

    ``caches``, one :class:`~seqlab.nn.attention.KVCache` per layer, let it take one new
    target step at a time (decoding) with the results of taking all the steps at once.

    Example:
        >>> dec = TransformerDecoder(d_model=16, num_heads=4, num_layers=2)
        >>> dec(torch.randn(3, 5, 16), torch.randn(3, 7, 16)).shape
        torch.Size([3, 5, 16])
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        num_layers: int,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        activation: str = "gelu",
        norm_first: bool = True,
    ) -> None:
        super().__init__()
        check("TransformerDecoder", {"num_layers": positive_int()}, {"num_layers": num_layers})
        self.layers = nn.ModuleList(
            TransformerDecoderLayer(
                d_model, num_heads, dim_feedforward, dropout, activation, norm_first
            )
            for _ in range(num_layers)
        )
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        *,
        causal: bool = True,
        key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        return_weights: bool = False,
        caches: Sequence[KVCache] | None = None,
    ) -> Tensor | tuple[Tensor, list[dict[str, Tensor]]]:
        if caches is not None and len(caches) != len(self.layers):
            raise ShapeError(
                f"caches of TransformerDecoder must be one per layer; got {len(caches)} for "
                f"{len(self.layers)} layers. Pass [KVCache() for _ in range(num_layers)].",
                param="caches",
            )
        weights = []
        for i, layer in enumerate(self.layers):
            out = layer(
                x,
                memory,
                causal=causal,
                key_padding_mask=key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                return_weights=return_weights,
                cache=None if caches is None else caches[i],
            )
            if return_weights:
                x, w = out
                weights.append(w)
            else:
                x = out
        x = self.norm(x)
        return (x, weights) if return_weights else x
