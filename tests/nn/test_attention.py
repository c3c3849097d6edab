"""Attention from its equation against torch's kernels and torch's MultiheadAttention."""

import math

import pytest
import torch

from seqlab.errors import ConfigError, ShapeError
from seqlab.nn import MultiHeadAttention, causal_mask, scaled_dot_product_attention


def test_equation_matches_torch_sdpa_unmasked():
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 4)
    want = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(scaled_dot_product_attention(q, k, v), want)


def test_equation_matches_torch_sdpa_with_boolean_mask():
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 5, 8), torch.randn(2, 7, 8), torch.randn(2, 7, 8)
    mask = torch.rand(2, 5, 7) > 0.4
    mask[..., 0] = True  # no row may be fully masked
    want = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(scaled_dot_product_attention(q, k, v, mask), want)


def test_equation_matches_torch_causal():
    torch.manual_seed(0)
    q, k, v = (torch.randn(1, 2, 6, 4) for _ in range(3))
    want = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    got, w = scaled_dot_product_attention(q, k, v, causal_mask(6), return_weights=True)
    torch.testing.assert_close(got, want)
    assert torch.equal(w.triu(1), torch.zeros_like(w))  # nothing from the future
    torch.testing.assert_close(w.sum(-1), torch.ones(1, 2, 6))


def test_weights_are_the_softmax_of_scaled_scores():
    q, k, v = torch.eye(2).unsqueeze(0), torch.eye(2).unsqueeze(0), torch.randn(1, 2, 3)
    _, w = scaled_dot_product_attention(q, k, v, return_weights=True)
    a, b = math.exp(1 / math.sqrt(2)), 1.0
    torch.testing.assert_close(w[0, 0], torch.tensor([a / (a + b), b / (a + b)]))


def _copy_from_torch(ours: MultiHeadAttention, ref: torch.nn.MultiheadAttention) -> None:
    wq, wk, wv = ref.in_proj_weight.chunk(3)
    bq, bk, bv = ref.in_proj_bias.chunk(3)
    with torch.no_grad():
        for proj, w, b in ((ours.q_proj, wq, bq), (ours.k_proj, wk, bk), (ours.v_proj, wv, bv)):
            proj.weight.copy_(w)
            proj.bias.copy_(b)
        ours.out_proj.load_state_dict(ref.out_proj.state_dict())


@pytest.mark.parametrize("return_weights", [False, True])
def test_multihead_matches_torch_with_padding_and_causal(return_weights):
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(16, 4, batch_first=True)
    ours = MultiHeadAttention(16, 4)
    _copy_from_torch(ours, ref)
    x = torch.randn(3, 6, 16)
    pad = torch.zeros(3, 6, dtype=torch.bool)
    pad[1, 4:] = True
    future = torch.ones(6, 6, dtype=torch.bool).triu(1)  # torch's MHA: True = masked out
    want, want_w = ref(x, x, x, key_padding_mask=pad, attn_mask=future, average_attn_weights=False)
    out = ours(x, causal=True, key_padding_mask=pad, return_weights=return_weights)
    got = out[0] if return_weights else out
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    if return_weights:
        torch.testing.assert_close(out[1], want_w, atol=1e-6, rtol=1e-5)


def test_cross_attention_shapes():
    mha = MultiHeadAttention(8, 2)
    out, w = mha(torch.randn(2, 3, 8), torch.randn(2, 5, 8), return_weights=True)
    assert out.shape == (2, 3, 8) and w.shape == (2, 2, 3, 5)


def test_d_model_not_divisible_is_one_sentence():
    with pytest.raises(ConfigError) as err:
        MultiHeadAttention(10, 3)
    assert str(err.value) == (
        "d_model of MultiHeadAttention must be divisible by num_heads=3; got 10. "
        "Choose num_heads among the divisors of 10, or change d_model."
    )


def test_wrong_width_is_one_sentence():
    with pytest.raises(ShapeError) as err:
        MultiHeadAttention(8, 2)(torch.randn(2, 3, 6))
    assert str(err.value) == (
        "query of MultiHeadAttention must be a 3-D tensor (N, length, 8); got shape (2, 3, 6). "
        "Project the input to d_model features and add a batch dimension."
    )


def test_the_causal_mask_of_cached_steps_lets_the_last_queries_see_the_past():
    assert causal_mask(2, 4).tolist() == [[True, True, True, False], [True, True, True, True]]
    assert torch.equal(causal_mask(3, 3), torch.ones(3, 3, dtype=torch.bool).tril())


@pytest.mark.parametrize("chunks", [[1] * 7, [3, 1, 1, 2], [7]])
def test_a_kv_cache_gives_the_numbers_of_attending_to_all_steps_at_once(chunks):
    from seqlab.nn import KVCache, TransformerEncoder

    torch.manual_seed(0)
    stack = TransformerEncoder(d_model=16, num_heads=4, num_layers=2, dropout=0.1).eval()
    x = torch.randn(2, 7, 16)
    full = stack(x, causal=True)
    caches = [KVCache() for _ in stack.layers]
    outs, start = [], 0
    for size in chunks:  # the same steps, a few at a time, the past from the cache
        outs.append(stack(x[:, start : start + size], causal=True, caches=caches))
        start += size
    torch.testing.assert_close(torch.cat(outs, dim=1), full, rtol=1e-5, atol=1e-6)
    assert [c.length for c in caches] == [7, 7]
    mha = MultiHeadAttention(16, 4).eval()
    cache = KVCache()
    steps = [mha(x[:, t : t + 1], causal=True, cache=cache, return_weights=True) for t in range(7)]
    torch.testing.assert_close(torch.cat([o for o, _ in steps], 1), mha(x, causal=True))
    assert steps[-1][1].shape == (2, 4, 1, 7)  # the last step attends to all seven


def test_a_cache_is_for_self_attention_only():
    from seqlab.errors import ShapeError
    from seqlab.nn import KVCache

    mha = MultiHeadAttention(8, 2)
    with pytest.raises(ShapeError, match=r"^cache of MultiHeadAttention must come with self-att"):
        mha(torch.randn(1, 2, 8), torch.randn(1, 3, 8), cache=KVCache())
