"""A classifier that starts from a pretrained language model (ULMFiT-style transfer)."""

import shutil

import pytest
import torch

from seqlab.errors import ConfigError
from seqlab.tasks import LanguageModel, SequenceClassifier
from seqlab.train import TrainConfig
from seqlab.train.trainer import learning_rate

TEXTS = ["房间很干净服务很好", "太差了再也不来", "服务很好下次还来", "房间很脏太差了"] * 6
LABELS = ["pos", "neg", "pos", "neg"] * 6


@pytest.fixture(scope="module")
def lm_dir(tmp_path_factory):
    torch.manual_seed(0)
    lm = LanguageModel(model="gru", hidden_size=12, num_layers=2, context=8, epochs=1)
    return lm.fit(TEXTS[:8]).save(tmp_path_factory.mktemp("lm"))


def _clf(lm_dir, **params):
    params = {"epochs": 1, "device": "cpu", "pooling": "max", **params}
    return SequenceClassifier.from_language_model(lm_dir, **params)


def test_from_language_model_shapes_the_encoder_as_the_language_model(lm_dir):
    clf = _clf(lm_dir, lr_decay=0.5)
    p = clf.get_params()
    assert (p["model"], p["hidden_size"], p["embedding_dim"], p["num_layers"]) == ("gru", 12, 12, 2)
    assert (p["bidirectional"], p["bigram_dim"], p["pretrained"]) == (False, 0, str(lm_dir))


def test_the_encoder_starts_as_the_language_model(lm_dir):
    lm = LanguageModel.load(lm_dir, device="cpu")
    clf = _clf(lm_dir, min_freq=1)
    clf._prepare([list(t) for t in [*TEXTS, "新字"]], [*LABELS, "pos"])
    clf.labels_ = ["neg", "pos"]
    torch.manual_seed(0)
    model = clf._build_one()
    fresh = model.encoder.embedding.weight[clf.vocab_.stoi["新"]].clone()
    clf._initialise(model)
    source = lm.model_.state_dict()
    for token in "房间服务差":  # every token the language model knows: its row
        row = model.encoder.embedding.weight[clf.vocab_.stoi[token]]
        assert torch.equal(row, source["embedding.weight"][lm.vocab_.stoi[token]])
    # a token only the classifier's texts hold keeps its random start
    assert "新" not in lm.vocab_
    assert torch.equal(model.encoder.embedding.weight[clf.vocab_.stoi["新"]], fresh)
    for name, param in model.encoder.encoder.named_parameters():
        assert torch.equal(param, source[f"backbone.{name}"]), name


def test_discriminative_learning_rates_fall_by_lr_decay_per_layer(lm_dir):
    clf = _clf(lm_dir, lr_decay=0.5).fit([list(t) for t in TEXTS], LABELS)
    model = clf.model_
    groups = model.parameter_groups(1.0)
    assert [g["lr"] for g in groups] == [1.0, 0.5, 0.25, 0.125]  # head, layer 1, 0, embedding
    by_id = {id(p): g["lr"] for g in groups for p in g["params"]}
    named = dict(model.named_parameters())
    assert by_id[id(named["head.weight"])] == 1.0
    assert by_id[id(named["encoder.encoder.rnn.weight_hh_l1"])] == 0.5
    assert by_id[id(named["encoder.encoder.rnn.weight_ih_l0"])] == 0.25
    assert by_id[id(named["encoder.embedding.weight"])] == 0.125
    assert len(by_id) == len(named)  # every parameter in one group


def test_a_saved_transfer_classifier_loads_without_its_language_model(lm_dir, tmp_path):
    copy = shutil.copytree(lm_dir, tmp_path / "lm")
    clf = _clf(copy).fit([list(t) for t in TEXTS], LABELS)
    expected = clf.predict_proba([list("服务很好")])
    clf.save(tmp_path / "clf")
    shutil.rmtree(copy)
    again = SequenceClassifier.load(tmp_path / "clf", device="cpu")
    assert (again.predict_proba([list("服务很好")]) == expected).all()


def test_bad_pretrained_settings_get_one_sentence(lm_dir, tmp_path):
    data = ([list(t) for t in TEXTS], LABELS)
    with pytest.raises(
        ConfigError,
        match=r"^pretrained of SequenceClassifier must come with an "
        r"encoder shaped as its language model \(model='gru'",
    ):
        SequenceClassifier(pretrained=str(lm_dir), epochs=1).fit(*data)
    with pytest.raises(ConfigError, match=r"which has no config\.json"):
        SequenceClassifier.from_language_model(tmp_path)
    transformer = (
        LanguageModel(model="transformer", hidden_size=8, num_layers=1, context=8, epochs=1)
        .fit(TEXTS[:4])
        .save(tmp_path / "t")
    )
    with pytest.raises(ConfigError, match=r"must be a recurrent LanguageModel.*got 'transformer'"):
        SequenceClassifier.from_language_model(transformer)
    with pytest.raises(ConfigError, match=r"^lr_decay of SequenceClassifier must be a number in"):
        SequenceClassifier(lr_decay=0, epochs=1).fit(*data)


@pytest.mark.parametrize("epochs", [1, 2, 3])
def test_gradual_unfreezing_trains_one_layer_more_each_epoch_from_the_top(lm_dir, epochs):
    lm = LanguageModel.load(lm_dir, device="cpu").model_.state_dict()
    clf = _clf(lm_dir, ulmfit=True, epochs=epochs, lr=5e-2)
    clf.fit([list(t) for t in TEXTS], LABELS, validation=([], []))  # the last weights
    named = dict(clf.model_.named_parameters())
    moved = {
        name: not torch.equal(param, lm[f"backbone.{name.removeprefix('encoder.encoder.')}"])
        for name, param in named.items()
        if name.startswith("encoder.encoder.")
    }
    # epoch 1: the head alone; epoch 2: and the top layer (l1); epoch 3: and layer l0
    assert moved["encoder.encoder.rnn.weight_hh_l1"] is (epochs >= 2)
    assert moved["encoder.encoder.rnn.weight_ih_l0"] is (epochs >= 3)
    row = clf.vocab_.stoi["房"]
    embedding = named["encoder.embedding.weight"][row]
    assert torch.equal(
        embedding, lm["embedding.weight"][LanguageModel.load(lm_dir).vocab_.stoi["房"]]
    )


def test_slanted_triangular_rates_rise_over_a_tenth_then_fall_to_a_32nd():
    f = learning_rate(TrainConfig(schedule="slanted"), 100)
    assert [f(s) for s in (0, 5, 10, 55, 100, 400)] == pytest.approx(
        [1 / 32, (1 + 0.5 * 31) / 32, 1.0, (1 + 0.5 * 31) / 32, 1 / 32, 1 / 32]
    )
