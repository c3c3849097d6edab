"""The generic text tasks on tiny, learnable synthetic data."""

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file as read_tensors_raw
from torch import Tensor

from seqlab.errors import ConfigError, DataError, NotFittedError
from seqlab.io import read_json
from seqlab.tasks import SequenceClassifier, SequenceTagger

SMALL = {
    "embedding_dim": 16,
    "hidden_size": 16,
    "epochs": 12,
    "lr": 0.03,
    "batch_size": 24,
    "patience": None,
    "val_size": 0.0,
}


def _segments(n=120, seed=0):
    """Random 'words' of 1-3 letters; tags b/m/e/s mark each letter's place in its word."""
    rng = np.random.default_rng(seed)
    texts, tags = [], []
    for _ in range(n):
        chars, labels = [], []
        for _ in range(rng.integers(2, 6)):
            size = int(rng.integers(1, 4))
            word = [chr(ord("a") + size * 5 + int(rng.integers(0, 5))) for _ in range(size)]
            chars += word
            labels += ["s"] if size == 1 else ["b"] + ["m"] * (size - 2) + ["e"]
        texts.append(chars)
        tags.append(labels)
    return texts, tags


@pytest.mark.parametrize(
    ("encoder", "crf"), [("lstm", True), ("gru", False), ("transformer", True)]
)
def test_tagger_learns_word_boundaries(encoder, crf, tmp_path):
    texts, tags = _segments()
    tagger = SequenceTagger(model=encoder, crf=crf, **SMALL).fit(texts, tags)
    test_texts, test_tags = _segments(40, seed=1)
    assert tagger.evaluate(test_texts, test_tags)["accuracy"] > 90
    loaded = SequenceTagger.load(tagger.save(tmp_path / "tagger"))
    assert loaded.predict(test_texts) == tagger.predict(test_texts)


def test_tagger_handles_empty_and_very_long_and_unknown_input():
    texts, tags = _segments()
    tagger = SequenceTagger(crf=True, **{**SMALL, "epochs": 2}).fit(texts, tags)
    long = list("abcde" * 200)  # far longer than any training text, unknown letters too
    out = tagger.predict([[], long, list("zz")])
    assert out[0] == [] and len(out[1]) == 1000 and len(out[2]) == 2


def test_constrained_decoding_forces_allowed_tags():
    texts, tags = _segments()
    tagger = SequenceTagger(crf=True, **{**SMALL, "epochs": 3}).fit(texts, tags)
    text = list("kkkk")
    allowed = torch.zeros(4, len(tagger.labels_), dtype=torch.bool)
    for pos, tag in enumerate(["b", "m", "m", "e"]):
        allowed[pos, tagger.labels_.index(tag)] = True
    assert tagger.predict([text], allowed=[allowed]) == [["b", "m", "m", "e"]]


def test_classifier_learns_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    texts = [list(rng.choice(list("abcdef"), 6)) for _ in range(200)]
    labels = ["pos" if t.count("a") > t.count("b") else "neg" for t in texts]
    clf = SequenceClassifier(model="gru", **SMALL).fit(texts, labels)
    scores = clf.evaluate(texts, labels)
    assert scores["accuracy"] > 85 and 0 < scores["macro_f1"] <= 100
    proba = clf.predict_proba(texts[:5])
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    loaded = SequenceClassifier.load(clf.save(tmp_path / "clf"))
    np.testing.assert_allclose(loaded.predict_proba(texts[:5]), proba, rtol=1e-6)


def test_mismatched_tags_and_unfitted_use():
    with pytest.raises(DataError) as err:
        SequenceTagger().fit([list("abc")], [["s", "s"]])
    assert str(err.value) == (
        "tags of SequenceTagger.fit must match their text token for token; got 3 tokens and 2 "
        "tags in text 0. Fix that pair."
    )
    with pytest.raises(NotFittedError):
        SequenceClassifier().predict([list("a")])


def test_text_tasks_share_the_estimator_contract():
    from seqlab.errors import ConfigError

    tagger = SequenceTagger(crf=True, hidden_size=8)
    params = tagger.get_params()
    assert params["crf"] is True and params["hidden_size"] == 8 and params["model"] == "lstm"
    assert tagger.set_params(epochs=2) is tagger and tagger.epochs == 2
    assert repr(tagger) == "SequenceTagger(crf=True, hidden_size=8, epochs=2)"
    with pytest.raises(ConfigError):
        tagger.set_params(crff=False)


def test_bigram_features_learn_save_and_load_in_half_precision(tmp_path):
    from seqlab.data.text_features import bigram_edges

    assert bigram_edges(["a", "b"]) == ["<s> a", "a b", "b </s>"]
    texts, tags = _segments()
    params = {**SMALL, "bigram_dim": 8, "bigram_min_freq": 1}
    tagger = SequenceTagger(crf=True, **params).fit(texts, tags)
    assert tagger.bigrams_ is not None and "<s> " + texts[0][0] in tagger.bigrams_
    test_texts, test_tags = _segments(40, seed=1)
    assert tagger.evaluate(test_texts, test_tags)["accuracy"] > 90
    folder = tagger.save(tmp_path / "half", precision="float16")
    assert read_json(folder / "bigrams.json.gz") == {"tokens": tagger.bigrams_.itos}
    loaded = SequenceTagger.load(folder)
    assert next(loaded.model_.parameters()).dtype == torch.float32  # computes in float32
    same = np.mean(
        [
            a == b
            for p, q in zip(loaded.predict(test_texts), tagger.predict(test_texts), strict=True)
            for a, b in zip(p, q, strict=True)
        ]
    )
    assert same > 0.98  # float16 weights change a tag here and there at most
    # a folder saved before vocabularies were gzipped (plain vocab.json ...) still loads
    for name in ("vocab", "bigrams"):
        (folder / f"{name}.json").write_text(json.dumps(read_json(folder / f"{name}.json.gz")))
        (folder / f"{name}.json.gz").unlink()
    assert SequenceTagger.load(folder).predict(test_texts) == loaded.predict(test_texts)
    # int4: the token and bigram tables in 4 bits (two to a byte), the rest in int8
    small = tagger.save(tmp_path / "int4", precision="int4")
    raw = read_tensors_raw(small / "model.safetensors")
    assert (
        raw["encoder.embedding.weight"].dtype == raw["encoder.bigrams.weight"].dtype == torch.uint8
    )
    assert raw["head.weight"].dtype == torch.int8
    four = SequenceTagger.load(small).predict(test_texts)
    same4 = np.mean(
        [
            a == b
            for p, q in zip(four, tagger.predict(test_texts), strict=True)
            for a, b in zip(p, q, strict=True)
        ]
    )
    assert same4 > 0.95
    with pytest.raises(ConfigError, match="precision"):
        tagger.save(tmp_path / "x", precision="int2")


def test_token_features_carry_what_the_tokens_cannot(tmp_path):
    # Every token is "x": only its feature says whether it is tagged "a" or "b".
    rng = np.random.default_rng(0)
    tags = [list(rng.choice(["a", "b"], size=int(rng.integers(2, 8)))) for _ in range(150)]
    texts = [["x"] * len(t) for t in tags]
    feats = [[(f"f{t}",) for t in ts] for ts in tags]
    params = {**SMALL, "feature_dim": 4}
    tagger = SequenceTagger(**params).fit(texts, tags, features=feats)
    assert tagger.num_features_ == 1 and "fa" in tagger.features_
    assert tagger.evaluate(texts[:40], tags[:40], features=feats[:40])["accuracy"] == 100.0
    loaded = SequenceTagger.load(tagger.save(tmp_path / "features", precision="float16"))
    assert loaded.predict(texts[:40], features=feats[:40]) == tags[:40]
    with pytest.raises(DataError, match="features of SequenceTagger must be given, one list"):
        tagger.predict(texts[:2])
    with pytest.raises(DataError, match=r"must be 1 values for each token; got \[1\] for the 2"):
        tagger.predict([["x", "x"]], features=[[("fa",)]])
    without = SequenceTagger(**{**SMALL, "epochs": 3}).fit(texts, tags)  # no features: a guess
    assert without.evaluate(texts[:40], tags[:40])["accuracy"] < 80


def test_classifier_takes_features_too():
    texts = [["x", "y"]] * 60
    labels = ["pos" if i % 2 else "neg" for i in range(60)]
    feats = [[(label,), (label,)] for label in labels]
    clf = SequenceClassifier(**{**SMALL, "feature_dim": 4}).fit(
        texts, labels, validation=(texts[:10], labels[:10], feats[:10]), features=feats
    )
    assert clf.evaluate(texts, labels, feats)["accuracy"] == 100.0


def test_explicit_validation_drives_early_stopping():
    texts, tags = _segments()
    val = _segments(30, seed=2)
    tagger = SequenceTagger(**{**SMALL, "epochs": 3, "patience": 1}).fit(texts, tags, val)
    assert all(np.isfinite(h["val_loss"]) for h in tagger.history_)


@pytest.mark.parametrize("pooling", ["max", "mean"])
def test_encoder_pooling_covers_only_the_real_tokens(pooling):
    from seqlab.models.text import TextEncoder

    torch.manual_seed(0)
    enc = TextEncoder(20, "gru", 8, 6, pooling=pooling).eval()
    ids, lengths = torch.randint(1, 20, (2, 5)), torch.tensor([5, 3])
    states, summary = enc(ids, lengths)
    real = states[1, :3]
    expected = real.amax(0) if pooling == "max" else real.mean(0)
    torch.testing.assert_close(summary[1], expected)
    # what follows the real tokens does not matter
    ids2 = ids.clone()
    ids2[1, 3:] = 7
    torch.testing.assert_close(enc(ids2, lengths)[1][1], summary[1])


def test_word_dropout_turns_tokens_into_unk_in_training_only():
    from seqlab.data.tokens import UNK_ID
    from seqlab.models.text import TextEncoder

    torch.manual_seed(0)
    enc = TextEncoder(50, "lstm", 8, 6, word_dropout=0.3, unk_id=UNK_ID)
    seen: list[Tensor] = []
    enc.embedding.register_forward_pre_hook(lambda _, args: seen.append(args[0].clone()))
    ids = torch.randint(2, 50, (40, 50))
    ids[:, 45:] = 0  # padding
    ids[:, 40:45] = UNK_ID
    lengths = torch.full((40,), 45)
    enc(ids, lengths)
    dropped = seen[-1] != ids
    assert (seen[-1][dropped] == UNK_ID).all()  # a dropped token becomes <unk>, nothing else
    assert not dropped[:, 40:].any()  # padding and <unk> stay as they are
    assert 0.25 < dropped[:, :40].float().mean() < 0.35  # 1600 draws at p = 0.3
    enc.eval()
    enc(ids, lengths)
    assert torch.equal(seen[-1], ids)  # no dropout when predicting
    with pytest.raises(ConfigError, match="word_dropout"):
        SequenceTagger(word_dropout=1.0).fit([["a"]], [["x"]])


def test_members_are_the_seeded_single_models_and_decode_their_best_mean_score(tmp_path):
    from itertools import product

    texts, tags = _segments()
    params, val = {**SMALL, "epochs": 3}, _segments(20, seed=3)
    pair = SequenceTagger(crf=True, members=2, **params, precision="fp32").fit(texts, tags, val)
    second = SequenceTagger(crf=True, seed=1, **params).fit(texts, tags, val)
    members = pair.model_.members
    for name, value in second.model_.state_dict().items():  # member i is the fit of seed + i
        torch.testing.assert_close(members[1].state_dict()[name], value, rtol=0, atol=0)
    assert [h["member"] for h in pair.history_] == [0, 0, 0, 1, 1, 1]
    # Viterbi over the pair finds the tag sequence of the highest mean score, by enumeration.
    text = list("fkpa")
    inputs = pair.encode([text]).tensors([0], torch.device("cpu"))
    mask = torch.ones(1, len(text), dtype=torch.bool)
    with torch.no_grad():
        emissions = [m(*inputs) for m in members]

        def mean_score(path):
            y = torch.tensor([path])
            scored = zip(members, emissions, strict=True)
            return sum(float(m.crf.score(e, y, mask)) for m, e in scored)

        best = max(product(range(len(pair.labels_)), repeat=len(text)), key=mean_score)
    assert pair.predict([text]) == [[pair.labels_[k] for k in best]]
    loaded = SequenceTagger.load(pair.save(tmp_path / "pair"))
    assert loaded.members == 2 and loaded.predict(texts[:20]) == pair.predict(texts[:20])


def test_classifier_members_average_their_log_probabilities():
    rng = np.random.default_rng(0)
    texts = [list(rng.choice(list("abcdef"), 6)) for _ in range(60)]
    labels = ["pos" if t.count("a") > t.count("b") else "neg" for t in texts]
    # fp32: the reference below computes in float32 (prediction under "auto" may run bf16)
    clf = SequenceClassifier(members=3, **{**SMALL, "epochs": 2}, precision="fp32")
    clf.fit(texts, labels)
    inputs = clf.encode(texts[:1]).tensors([0], torch.device("cpu"))
    with torch.no_grad():
        logp = torch.stack([m(*inputs).log_softmax(-1) for m in clf.model_.members]).mean(0)
    np.testing.assert_allclose(clf.predict_proba(texts[:1]), logp.softmax(-1).numpy(), rtol=1e-5)
