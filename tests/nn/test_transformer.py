"""Positional encoding from its formula; our layers against torch's with copied weights."""

import math

import pytest
import torch

from seqlab.errors import ConfigError, ShapeError
from seqlab.nn import (
    KVCache,
    MultiHeadAttention,
    PositionalEncoding,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
    sinusoidal_positional_encoding,
)


@pytest.mark.parametrize("d_model", [6, 7])
def test_positional_encoding_follows_the_formula(d_model):
    pe = sinusoidal_positional_encoding(50, d_model)
    assert pe.shape == (50, d_model)
    for pos in (0, 1, 17, 49):
        for col in range(d_model):
            two_i = col - col % 2
            angle = pos / 10000 ** (two_i / d_model)
            want = math.sin(angle) if col % 2 == 0 else math.cos(angle)
            assert pe[pos, col].item() == pytest.approx(want, abs=1e-6)


def test_positional_encoding_module_adds_it():
    x = torch.zeros(2, 5, 4)
    torch.testing.assert_close(PositionalEncoding(4)(x)[1], sinusoidal_positional_encoding(5, 4))


def _copy_attention(ours: MultiHeadAttention, ref: torch.nn.MultiheadAttention) -> None:
    with torch.no_grad():
        for proj, w, b in zip(
            (ours.q_proj, ours.k_proj, ours.v_proj),
            ref.in_proj_weight.chunk(3),
            ref.in_proj_bias.chunk(3),
            strict=True,
        ):
            proj.weight.copy_(w)
            proj.bias.copy_(b)
        ours.out_proj.load_state_dict(ref.out_proj.state_dict())


def _copy_layer(ours: torch.nn.Module, ref: torch.nn.Module) -> None:
    """Copy every sub-layer by its (shared) name; attention needs its in_proj split."""
    for name, module in ours.named_children():
        if not list(module.parameters()):
            continue  # activations and dropouts hold nothing to copy
        theirs = getattr(ref, name)
        if isinstance(module, MultiHeadAttention):
            _copy_attention(module, theirs)
        else:
            module.load_state_dict(theirs.state_dict())


@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("causal", [False, True])
def test_encoder_layer_matches_torch(norm_first, activation, causal):
    torch.manual_seed(0)
    ref = torch.nn.TransformerEncoderLayer(
        16, 4, 32, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first
    ).eval()
    ours = TransformerEncoderLayer(16, 4, 32, 0.0, activation, norm_first).eval()
    _copy_layer(ours, ref)
    x = torch.randn(3, 6, 16)
    pad = torch.zeros(3, 6, dtype=torch.bool)
    pad[2, 5:] = True
    mask = torch.ones(6, 6, dtype=torch.bool).triu(1) if causal else None  # True = masked
    want = ref(x, src_mask=mask, src_key_padding_mask=pad, is_causal=causal)
    got = ours(x, causal=causal, key_padding_mask=pad)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("norm_first", [True, False])
def test_decoder_layer_matches_torch(norm_first):
    torch.manual_seed(0)
    ref = torch.nn.TransformerDecoderLayer(
        16, 4, 32, dropout=0.0, batch_first=True, norm_first=norm_first, activation="gelu"
    ).eval()
    ours = TransformerDecoderLayer(16, 4, 32, 0.0, "gelu", norm_first).eval()
    _copy_layer(ours, ref)
    x, memory = torch.randn(2, 5, 16), torch.randn(2, 7, 16)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5)
    want = ref(x, memory, tgt_mask=causal, tgt_is_causal=True)
    torch.testing.assert_close(ours(x, memory), want, atol=1e-5, rtol=1e-5)


def test_stacks_return_weights_per_layer():
    enc = TransformerEncoder(8, 2, num_layers=3, dropout=0.0)
    out, ws = enc(torch.randn(2, 4, 8), causal=True, return_weights=True)
    assert out.shape == (2, 4, 8) and len(ws) == 3 and ws[0].shape == (2, 2, 4, 4)
    dec = TransformerDecoder(8, 2, num_layers=2, dropout=0.0)
    out, ws = dec(torch.randn(2, 3, 8), torch.randn(2, 4, 8), return_weights=True)
    assert out.shape == (2, 3, 8) and ws[1]["cross"].shape == (2, 2, 3, 4)


def test_decoder_is_causal():
    """Changing a later target step must not change earlier outputs."""
    torch.manual_seed(0)
    dec = TransformerDecoder(8, 2, num_layers=2, dropout=0.0).eval()
    x, memory = torch.randn(1, 5, 8), torch.randn(1, 4, 8)
    y = x.clone()
    y[:, 3:] += 1.0
    torch.testing.assert_close(dec(x, memory)[:, :3], dec(y, memory)[:, :3])


def test_unknown_activation_is_one_sentence():
    with pytest.raises(ConfigError) as err:
        TransformerEncoderLayer(8, 2, activation="tanh")
    assert str(err.value) == (
        "activation of TransformerEncoderLayer must be one of 'relu', 'gelu'; got 'tanh'. "
        "Pick one of the listed values."
    )


def test_decoder_with_caches_one_step_at_a_time_equals_the_whole_target():
    torch.manual_seed(0)
    dec = TransformerDecoder(d_model=16, num_heads=4, num_layers=2, dropout=0.0).eval()
    x, memory = torch.randn(2, 5, 16), torch.randn(2, 7, 16)
    pad = torch.zeros(2, 7, dtype=torch.bool)
    pad[1, 4:] = True
    with torch.no_grad():
        whole = dec(x, memory, memory_key_padding_mask=pad)
        caches = [KVCache() for _ in range(2)]
        steps = [
            dec(x[:, t : t + 1], memory, memory_key_padding_mask=pad, caches=caches)
            for t in range(5)
        ]
    torch.testing.assert_close(torch.cat(steps, 1), whole, atol=1e-5, rtol=1e-5)
    assert caches[0].length == 5
    with pytest.raises(ShapeError, match="caches of TransformerDecoder must be one per layer"):
        dec(x, memory, caches=[KVCache()])
