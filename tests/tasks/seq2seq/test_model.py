"""Seq2Seq: the networks (step-by-step decoding equals the teacher-forced pass, padding
changes nothing, attention sums to one), the loss, teacher forcing and its schedule, batched
decoding through the shared search, a toy task learned, save and load, and one-sentence
errors (the search itself: tests/tasks/test_search.py)."""

import itertools
import math
import random

import numpy as np
import pytest
import torch

from seqlab.data.batches import IGNORE, PairBatches
from seqlab.errors import ConfigError, DataError, NotFittedError
from seqlab.models.seq2seq import RecurrentSeq2Seq, TransformerSeq2Seq, smoothed_loss
from seqlab.nn import Attention
from seqlab.tasks import Seq2Seq
from seqlab.tasks.seq2seq.model import detokenize, tokenize

NETS = [
    ("gru", "general"),
    ("gru", "none"),
    ("lstm", "additive"),
    ("rnn", "dot"),
    ("transformer", None),
]


def _net(kind, attention, source_vocab=13, target_vocab=11):
    torch.manual_seed(0)
    if kind == "transformer":
        return TransformerSeq2Seq(
            source_vocab, target_vocab, hidden_size=16, num_heads=2, num_layers=2, dropout=0.0
        ).eval()
    return RecurrentSeq2Seq(
        source_vocab,
        target_vocab,
        kind,
        attention,
        embedding_dim=8,
        hidden_size=16,
        num_layers=2,
        dropout=0.0,
    ).eval()


def _batch():
    g = torch.Generator().manual_seed(1)
    source = torch.randint(2, 13, (3, 6), generator=g)
    lengths = torch.tensor([6, 4, 2])
    for i, n in enumerate(lengths.tolist()):
        source[i, n:] = 0
    target_in = torch.randint(2, 11, (3, 5), generator=g)
    return source, lengths, target_in


@pytest.mark.parametrize(("kind", "attention"), NETS)
def test_step_by_step_decoding_equals_the_teacher_forced_pass(kind, attention):
    net = _net(kind, attention)
    source, lengths, target_in = _batch()
    with torch.no_grad():
        full = net(source, lengths, target_in).log_softmax(-1)  # (N, T, V)
        state = net.start(source, lengths)
        steps = []
        for t in range(target_in.shape[1]):
            logp, state, _ = net.step(target_in[:, t], state)
            steps.append(logp)
    torch.testing.assert_close(torch.stack(steps, 1), full, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(("kind", "attention"), NETS)
def test_padding_changes_nothing_and_attention_sums_to_one_over_real_tokens(kind, attention):
    net = _net(kind, attention)
    source, lengths, target_in = _batch()
    with torch.no_grad():
        batch = net.start(source, lengths)
        alone = net.start(source[2:, :2], lengths[2:])  # the third source without padding
        token = target_in[:, 0]
        out_b, _, w_b = net.step(token, batch, return_weights=True)
        out_a, _, w_a = net.step(token[2:], alone, return_weights=True)
    torch.testing.assert_close(out_b[2:], out_a, atol=1e-5, rtol=1e-5)
    if attention == "none":
        assert w_b is None
        return
    assert w_b.shape == (3, 6)
    torch.testing.assert_close(w_b.sum(-1), torch.ones(3))
    assert torch.all(w_b[1, 4:] == 0) and torch.all(w_b[2, 2:] == 0)
    torch.testing.assert_close(w_b[2, :2], w_a[0], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kind", ["additive", "dot", "general"])
def test_attention_scores_follow_their_equations(kind):
    torch.manual_seed(0)
    att = Attention(kind, 4)
    query, memory = torch.randn(2, 4), torch.randn(2, 3, 4)
    mask = torch.ones(2, 3, dtype=torch.bool)
    context, weights = att(query, att.keys(memory), memory, mask)
    # the multiplicative scores divided by √H (here 2), as the Transformer's are
    if kind == "dot":
        scores = torch.einsum("nh,nsh->ns", query, memory) / 2
    elif kind == "general":
        scores = torch.einsum("nh,nsh->ns", query, memory @ att.key.weight.T) / 2
    else:
        hidden = torch.tanh(att.query(query)[:, None] + att.key(memory))
        scores = (hidden @ att.v.weight.T).squeeze(-1)
    torch.testing.assert_close(weights, scores.softmax(-1))
    torch.testing.assert_close(context, torch.einsum("ns,nsh->nh", weights, memory))


def test_smoothed_loss_is_torch_cross_entropy_over_the_real_tokens():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 7)
    targets = torch.tensor([[1, 2, 3, IGNORE], [4, IGNORE, IGNORE, IGNORE]])
    keep = targets != IGNORE
    want = torch.nn.functional.cross_entropy(logits[keep], targets[keep], label_smoothing=0.1)
    torch.testing.assert_close(smoothed_loss(logits, targets, 0.1), want)


def test_pair_batches_begin_and_end_the_targets_and_ignore_padding():
    data = PairBatches(
        [[5, 6, 7], [8]], [[4, 5], [6, 7, 8]], bos=2, eos=3, device=torch.device("cpu")
    )
    (source, lengths, target_in), target_out = data.batch(torch.tensor([0, 1]))
    assert source.tolist() == [[5, 6, 7], [8, 0, 0]] and lengths.tolist() == [3, 1]
    assert target_in.tolist() == [[2, 4, 5, 0], [2, 6, 7, 8]]
    assert target_out.tolist() == [[4, 5, 3, IGNORE], [6, 7, 8, 3]]


def test_teacher_forcing_below_one_feeds_predictions_in_training_only():
    net = _net("gru", "general").train()
    net.dropout.p = 0.0
    source, lengths, target_in = _batch()
    with torch.no_grad():
        net.teacher_forcing = 1.0
        forced = net(source, lengths, target_in)
        net.teacher_forcing = 0.0
        free = net(source, lengths, target_in)
        net.eval()
        evaluated = net(source, lengths, target_in)
    torch.testing.assert_close(forced[:, 0], free[:, 0])  # the first step reads <s> alike
    assert not torch.allclose(forced, free)
    torch.testing.assert_close(evaluated, forced)  # evaluation always feeds the gold


def test_teacher_forcing_schedules():
    constant = Seq2Seq(teacher_forcing=0.5, epochs=5)
    assert [constant.teacher_forcing_at(e) for e in (1, 5)] == [0.5, 0.5]
    linear = Seq2Seq(teacher_forcing=0.5, schedule="linear", epochs=5)
    assert [linear.teacher_forcing_at(e) for e in range(1, 6)] == [1.0, 0.875, 0.75, 0.625, 0.5]
    inverse = Seq2Seq(teacher_forcing=0.0, schedule="inverse_sigmoid", epochs=10)
    ratios = [inverse.teacher_forcing_at(e) for e in range(1, 11)]
    assert ratios[0] == pytest.approx(1.0)
    assert all(a > b for a, b in itertools.pairwise(ratios)) and ratios[-1] > 0


# -- search: a Markov chain over 4 tokens whose best outputs can be enumerated ----------------


# -- the estimator ------------------------------------------------------------------------------


def _reversal(n=1200, seed=0):
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdef") for _ in range(rng.randint(2, 6))) for _ in range(n)]
    return words, [w[::-1] for w in words]


@pytest.fixture(scope="module")
def reverser():
    sources, targets = _reversal()
    model = Seq2Seq(
        model="gru",
        attention="general",
        embedding_dim=24,
        hidden_size=48,
        epochs=8,
        batch_size=32,
        lr=5e-3,
        select="exact",
        device="cpu",
    )
    return model.fit(sources, targets)


def test_gru_with_attention_learns_to_reverse_words_and_beam_is_no_worse(reverser):
    rng = random.Random(7)
    test = ["".join(rng.choice("abcdef") for _ in range(5)) for _ in range(60)]
    greedy = reverser.evaluate(test, [t[::-1] for t in test])
    beam = reverser.evaluate(test, [t[::-1] for t in test], beam=4)
    assert greedy["exact"] >= 80 and beam["exact"] >= greedy["exact"] - 5
    assert greedy["per"] < 10 and greedy["chrf"] > 80
    assert "val_score" in reverser.history_[0]  # select="exact" was followed


def test_decode_gives_n_best_sorted_with_attention_over_the_source(reverser):
    [outputs] = reverser.decode(["abcd"], beam=4, n_best=3, return_attention=True)
    assert len(outputs) == 3 and len({o.text for o in outputs}) == 3
    assert [o.score for o in outputs] == sorted((o.score for o in outputs), reverse=True)
    best = outputs[0]
    assert best.source == list("abcd")
    assert best.attention.shape == (len(best.tokens) + 1, 4)
    np.testing.assert_allclose(best.attention.sum(1), 1.0, rtol=1e-5)


def test_unseen_characters_empty_and_long_sources_get_an_output(reverser):
    assert reverser.unknown("abxyz") == ["x", "y", "z"]
    out = reverser.predict(["abxyz", "", "abcdefabcdefabcdef"])
    assert out[1] == "" and all(isinstance(o, str) for o in out)
    assert reverser.longest_source_ == 6


def test_saved_model_decodes_identically_after_load(reverser, tmp_path):
    sources = ["abc", "fedcb", "aa"]
    reverser.save(tmp_path / "s2s")
    loaded = Seq2Seq.load(tmp_path / "s2s", device="cpu")
    assert loaded.predict(sources, beam=3) == reverser.predict(sources, beam=3)
    words = _reversal(50, 3)[0]
    for precision in ("int8", "int4"):  # int4: the embedding tables in 4 bits
        reverser.save(tmp_path / precision, precision=precision)
        small = Seq2Seq.load(tmp_path / precision, device="cpu")
        agree = np.mean(
            [a == b for a, b in zip(small.predict(words), reverser.predict(words), strict=True)]
        )
        assert agree >= 0.9, precision
    sizes = [(tmp_path / p / "model.safetensors").stat().st_size for p in ("int8", "int4")]
    assert sizes[1] < sizes[0]


@pytest.mark.parametrize(
    ("model", "schedule"), [("transformer", "linear"), ("lstm", "inverse_sigmoid")]
)
def test_other_backbones_train_save_and_load(model, schedule, tmp_path):
    sources, targets = _reversal(200)
    s2s = Seq2Seq(
        model=model,
        attention="additive",
        hidden_size=16,
        embedding_dim=8,
        num_layers=1,
        num_heads=2,
        epochs=2,
        teacher_forcing=0.5,
        schedule=schedule,
        device="cpu",
        source_tokens="char",
        target_tokens="char",
    )
    s2s.fit(sources, targets)
    assert len(s2s.history_) >= 1 and math.isfinite(s2s.history_[0]["val_loss"])
    s2s.save(tmp_path / model)
    again = Seq2Seq.load(tmp_path / model, device="cpu")
    assert again.predict(["abc", "de"], beam=2) == s2s.predict(["abc", "de"], beam=2)


def test_tokens_round_trip():
    assert tokenize("  Tom's here.  ", "word") == ["Tom's", "here", "."]
    assert detokenize(["Is", "it", "(", "ok", ")", "?"], "word") == "Is it (ok)?"
    assert tokenize("HH AH0 L OW1", "space") == ["HH", "AH0", "L", "OW1"]
    assert detokenize(tokenize("a b", "char"), "char") == "a b"


def test_errors_are_one_sentence():
    with pytest.raises(
        DataError,
        match=r"^sources of Seq2Seq.fit must be non-empty texts; got ' ' at row 1\. Remove "
        r"that pair\.$",
    ):
        Seq2Seq(epochs=1).fit(["ab", " "], ["ba", "x"])
    with pytest.raises(DataError, match="equally many sources and targets"):
        Seq2Seq(epochs=1).fit(["ab"], ["ba", "x"])
    with pytest.raises(
        ConfigError, match=r"^model of Seq2Seq must be one of 'rnn', 'lstm', 'gru', 'transformer'"
    ):
        Seq2Seq(model="cnn").fit(["ab"], ["ba"])
    with pytest.raises(
        ConfigError, match="hidden_size of Seq2Seq must be divisible by num_heads=3"
    ):
        Seq2Seq(model="transformer", hidden_size=16, num_heads=3).fit(["ab"], ["ba"])
    with pytest.raises(NotFittedError, match="predict of Seq2Seq must come after fit"):
        Seq2Seq().predict(["ab"])


def test_decoding_settings_are_checked(reverser):
    with pytest.raises(
        ConfigError,
        match=r"^n_best of Seq2Seq.predict must be a positive integer ≤ beam=2; got 3\.",
    ):
        reverser.decode(["ab"], beam=2, n_best=3)
    with pytest.raises(DataError, match="must be a list of texts; got a single text"):
        reverser.predict("abc")
