"""Defects of the language-model path, each with what it did before its fix."""

from __future__ import annotations

import math

import pytest
import torch

from seqlab.data.batches import IGNORE
from seqlab.data.streams import TokenStreams
from seqlab.models.lm import LanguageModelNet, LMState
from seqlab.tasks import LanguageModel

TEXT = "to be or not to be, that is the question; whether 'tis nobler in the mind " * 6


@pytest.mark.parametrize("lengths", [[1000], [5, 17, 40, 3, 90, 64, 33, 8, 120, 11] * 7])
def test_a_pass_holds_as_many_chunks_as_the_schedule_counts(lengths):
    # steps() added the longest piece's chunks to the average: one long text counted twice,
    # so the cosine schedule stopped halfway and the rate never fell below half its start
    docs = [[1] + [2] * (n - 1) for n in lengths]
    streams = TokenStreams(docs, chunk=16, device=torch.device("cpu"))
    read = sum(1 for _ in streams.stream(8, torch.Generator().manual_seed(0)))
    assert streams.steps(8) == read


def test_the_cosine_runs_its_whole_course_over_the_epochs():
    lm = LanguageModel(model="gru", hidden_size=16, num_layers=1, context=16, epochs=3)
    lm.set_params(lr=1e-2, min_lr=0.1, val_size=0.0).fit(TEXT)
    # the third epoch starts two thirds down the cosine from lr to 0.1 × lr:
    # 0.1 + 0.9 × (1 + cos(2π/3)) / 2 = 0.325 of lr (with the steps counted twice, 0.75)
    assert lm.history_[-1]["lr"] == pytest.approx(3.25e-3, rel=1e-6)


def test_the_transformer_starts_with_a_loss_near_that_of_a_uniform_guess():
    # its tied embedding started at N(0, 1) behind the final LayerNorm: logits of standard
    # deviation √H and a first loss of about 100 nats for ln V = 4.2
    torch.manual_seed(0)
    vocab, hidden = 67, 128
    net = LanguageModelNet(vocab, "transformer", hidden_size=hidden, num_layers=2)
    ids, targets = torch.randint(0, vocab, (2, 8, 64))
    out, _ = net(ids)
    assert net.loss(out, targets).item() < math.log(vocab) + 1.0


def test_the_transformer_reads_no_further_back_than_its_context():
    # generation attended over every step since the start, at positions the model never
    # trained on; past its context it now starts again from the last context // 2 tokens
    torch.manual_seed(0)
    net = LanguageModelNet(30, "transformer", hidden_size=16, num_layers=2, context=16).eval()
    tokens = torch.randint(0, 30, (2, 40))
    state, offsets = LMState(), []
    with torch.no_grad():
        for t in range(40):
            logp, state, _ = net.step(tokens[:, t], state)
            offsets.append(state.offset)
        fresh, _ = net(tokens[:, 40 - state.offset :])
    assert max(offsets) <= 16
    torch.testing.assert_close(logp, net.log_probs(fresh[:, -1]), atol=1e-5, rtol=1e-5)


def test_an_adaptive_softmax_trains_in_bf16():
    # the adaptive head ran under autocast and torch refused its mixed dtypes ("self and
    # source expected to have the same dtype")
    lm = LanguageModel(model="gru", hidden_size=32, num_layers=1, context=16, epochs=1)
    lm.set_params(softmax="adaptive", precision="bf16").fit(TEXT)
    assert math.isfinite(lm.evaluate(TEXT[:50])["loss"])


def test_the_vocabulary_holds_the_characters_of_the_share_held_out():
    # it was built after the hold-out: a character only in the last 10 % became <unk>
    lm = LanguageModel(model="gru", hidden_size=16, num_layers=1, context=16, epochs=1)
    lm.fit(TEXT + "zebra quiz")
    assert {"z", "q"} <= set(lm.vocab_.itos)


def test_val_size_zero_trains_on_every_text_for_every_epoch():
    lm = LanguageModel(model="gru", hidden_size=16, num_layers=1, context=16, epochs=4)
    lm.set_params(val_size=0.0, patience=1).fit(TEXT)
    assert len(lm.history_) == 4
    assert all(math.isnan(h.get("val_loss", math.nan)) for h in lm.history_)


def test_the_adaptive_softmax_keeps_wide_projections_for_its_rare_clusters():
    # each cluster's projection was 4 times narrower than the one before: at the bundled
    # poet's H=192, 48 and 12 dimensions for the rare 18 % of characters, which it scored
    # worse than a bigram table; now half as wide each time
    net = LanguageModelNet(9000, "lstm", hidden_size=192, num_layers=1, cutoffs=[900, 3600])
    widths = [tail[0].out_features for tail in net.head.tail]
    assert widths == [96, 48]
    with torch.no_grad():
        total = net.log_probs(torch.randn(3, 5, 192)).exp().sum(-1)
    assert torch.allclose(total, torch.ones(3, 5), atol=1e-4)


def test_packed_rows_score_every_target_once_and_fill_their_chunks():
    # one poem per row left most of each 128-token chunk padding (a poem is ~65 tokens):
    # packed, a row reads its documents back to back and only its last chunks are short
    sizes = torch.randint(3, 25, (200,), generator=torch.Generator().manual_seed(0)).tolist()
    docs = [[1, 7, 9] + [5 + i % 3] * n for i, n in enumerate(sizes)]
    skip = [2 if i % 4 == 0 else 0 for i in range(len(docs))]  # a condition, read not scored

    def read(pack):
        streams = TokenStreams(docs, chunk=32, device=torch.device("cpu"), skip=skip, pack=pack)
        chunks = list(streams.stream(4, torch.Generator().manual_seed(0)))
        scored = sum(int((t != IGNORE).sum()) for _, t, _ in chunks)
        assert scored == len(streams)  # every target once; no begin-of-text after an end
        read_ids = sum(int(n.sum()) for (_, n), _, _ in chunks)
        return streams, chunks, read_ids / (len(chunks) * 4 * 32)  # the share not padding

    packed, chunks, filled = read(True)
    assert abs(len(chunks) - packed.steps(4)) <= 1  # the schedule's count, to a document
    assert filled > 0.9 and read(False)[2] < 0.7
    lengths = torch.stack([n for (_, n), _, _ in chunks])
    assert (lengths[:-2] == 32).all()  # full until the rows' documents run out
    assert chunks[0][2].all() and not any(r.any() for _, _, r in chunks[1:])


def test_a_transformer_reads_a_prompt_longer_than_its_context_from_its_end():
    # the prompt was read in one call at positions past the trained context (sinusoids it
    # never saw), every early token still attended to
    torch.manual_seed(0)
    lm = LanguageModel(model="transformer", hidden_size=32, num_layers=2, context=16, epochs=1)
    lm.set_params(val_size=0.0).fit(TEXT)
    lm.model_.eval()
    early = torch.randint(4, len(lm.vocab_), (2, 24), generator=torch.Generator().manual_seed(1))
    end = torch.randint(4, len(lm.vocab_), (1, 16), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        hidden, state = lm.model_(torch.cat([early, end.expand(2, -1)], 1))
    assert hidden.shape[1] == 16 and state.offset == 16  # the last 16 tokens' states
    assert torch.allclose(hidden[0], hidden[1], atol=1e-5)  # what came before is not read
    long = lm.generate("to be or not to be, that is the question; whether 'tis", max_tokens=5)
    assert long.startswith("to be or not to be, that is the question; whether 'tis")
