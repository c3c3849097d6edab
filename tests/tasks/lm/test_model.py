"""LanguageModel: token streams with state carried and reset, scores in nats and bits, and
generation whose cache gives the numbers of recomputing the whole text."""

import math

import pytest
import torch

from seqlab.data.batches import IGNORE
from seqlab.data.streams import TokenStreams
from seqlab.errors import DataError
from seqlab.tasks import LanguageModel

TEXT = "to be or not to be, that is the question. " * 40
SMALL = {
    "hidden_size": 24,
    "num_layers": 1,
    "context": 16,
    "epochs": 3,
    "batch_size": 4,
    "lr": 1e-2,
    "device": "cpu",
}


def test_streams_score_every_target_once_and_reset_at_each_document():
    docs = [[2, 5, 6, 7, 8, 9], [2, 10, 11], [2, 12, 13, 14]]
    streams = TokenStreams(docs, chunk=3, device=torch.device("cpu"))
    assert len(streams) == 5 + 2 + 3
    seen, starts = [], []
    for (ids, lengths), targets, reset in streams.stream(batch_size=2):
        for r in range(len(ids)):
            real = targets[r][targets[r] != IGNORE].tolist()
            assert len(real) == (int(lengths[r]) if real else 0)
            seen += real
        starts += [bool(x) for x in reset]
    assert sorted(seen) == [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert starts[:2] == [True, True]  # the first chunk begins a document in every row


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_chunks_with_the_state_carried_score_as_one_pass(kind):
    """Truncated BPTT changes the gradients, not the model: scored chunk by chunk with the
    state carried, a text has the loss of one pass over all of it."""
    # fp32: the one pass below runs in float32, so the chunks are scored in it too
    settings = {**SMALL, "epochs": 1, "context": 7, "precision": "fp32"}
    lm = LanguageModel(model=kind, **settings).fit(TEXT)
    text = "to be or not to be, that is"
    ids = torch.tensor([lm.encode(text)])
    with torch.no_grad():
        hidden, _ = lm.model_(ids[:, :-1])
    whole = torch.nn.functional.nll_loss(lm.model_.log_probs(hidden)[0], ids[0, 1:]).item()
    assert lm.evaluate(text)["loss"] == pytest.approx(whole, rel=1e-5)


def test_scores_are_nats_bits_per_character_and_perplexity():
    lm = LanguageModel(model="gru", **SMALL).fit(TEXT)
    texts = ["to be or not to be", "that is the question"]
    scores = lm.evaluate(texts)
    chars = sum(map(len, texts))  # every character a token, and each text's end one more
    bits = scores["loss"] * (chars + len(texts)) / chars / math.log(2)
    assert scores["bits_per_char"] == pytest.approx(bits)
    assert scores["perplexity"] == pytest.approx(math.exp(scores["loss"]))
    assert scores["loss"] < math.log(len(set(TEXT)))  # better than a uniform guess


def test_the_transformer_cache_generates_what_recomputing_the_text_does():
    lm = LanguageModel(model="transformer", **SMALL).fit(TEXT)
    cached = lm.generate("to be", max_tokens=25, temperature=0)
    text = "to be"
    special = [lm.vocab_.stoi[t] for t in ("<pad>", "<unk>", "<s>")]
    with torch.no_grad():
        for _ in range(25):  # the whole text again for every token, no cache
            hidden, _ = lm.model_(torch.tensor([lm.encode(text)[:-1]]))
            last = lm.model_.log_probs(hidden[0, -1])
            last[special] = -math.inf
            token = lm.vocab_.itos[int(last.argmax())]
            if token == "</s>":
                break
            text += token
    assert cached == text


def test_sampling_is_seeded_and_its_filters_narrow_to_greedy():
    lm = LanguageModel(model="lstm", **SMALL).fit(TEXT)
    greedy = lm.generate("to", max_tokens=30, temperature=0)
    assert lm.generate("to", 30, top_k=1) == greedy
    assert lm.generate("to", 30, top_p=1e-6) == greedy
    sampled = lm.generate("to", 30, temperature=1.5, seed=3)
    assert lm.generate("to", 30, temperature=1.5, seed=3) == sampled
    assert len({lm.generate("to", 30, temperature=1.5, seed=s) for s in range(5)}) > 1
    assert lm.predict(["to"], max_tokens=30) == [greedy[2:]]


def test_bad_input_is_one_sentence():
    lm = LanguageModel(model="gru", **SMALL).fit(TEXT)
    with pytest.raises(DataError, match=r"^prefix of LanguageModel.generate must use characters"):
        lm.generate("春")
    with pytest.raises(DataError, match=r"^texts of LanguageModel.fit must be a text, a list"):
        LanguageModel().fit([])
    with pytest.raises(DataError, match=r"^texts of LanguageModel.fit must be a text, a list"):
        LanguageModel().fit([1, 2])  # neither texts nor pairs
