"""One battery over every estimator, in the style of scikit-learn's ``check_estimator``."""

import inspect
import typing

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import seqlab as sl
from seqlab.errors import CheckpointError, NotFittedError
from seqlab.estimator import Estimator
from seqlab.tasks import Forecaster, LanguageModel, Seq2Seq, SequenceClassifier, SequenceTagger


def _series(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(200)
    values = np.sin(2 * np.pi * t / (12 + 4 * seed)) + 0.1 * rng.standard_normal(200)
    index = pd.date_range("2020-01-01", periods=200, freq="D")
    return pd.DataFrame({"y": values}, index=index)


def _texts(seed: int, tagging: bool):
    rng = np.random.default_rng(seed)
    alphabet = list("abcdef") if seed == 0 else list("uvwxyz")
    texts = [list(rng.choice(alphabet, 6)) for _ in range(40)]
    if tagging:
        return (texts, [["v" if c in "aeiouy" else "c" for c in t] for t in texts]), texts[:5]
    labels = ["p" if t.count(alphabet[0]) > t.count(alphabet[1]) else "n" for t in texts]
    return (texts, labels), texts[:5]


SMALL_TEXT = {"embedding_dim": 8, "hidden_size": 8, "epochs": 2, "seed": 0, "device": "cpu"}
CASES = {
    "Forecaster": (
        Forecaster,
        {
            "model": "gru",
            "lookback": 12,
            "horizon": 3,
            "hidden_size": 8,
            "epochs": 2,
            "device": "cpu",
        },
        lambda seed: ((_series(seed),), _series(seed)),
    ),
    "SequenceTagger": (SequenceTagger, {"crf": True, **SMALL_TEXT}, lambda s: _texts(s, True)),
    "SequenceClassifier": (SequenceClassifier, SMALL_TEXT, lambda s: _texts(s, False)),
    "LanguageModel": (
        LanguageModel,
        {
            "model": "gru",
            "hidden_size": 8,
            "context": 8,
            "batch_size": 4,
            "epochs": 2,
            "device": "cpu",
        },
        lambda seed: ((["ab" * 30, "abc" * 20] if seed == 0 else ["xaz" * 30],), ["a"]),
    ),
    "Seq2Seq": (
        Seq2Seq,
        {"embedding_dim": 8, "hidden_size": 8, "epochs": 2, "device": "cpu"},
        lambda seed: _pairs(seed),
    ),
}


def _pairs(seed: int):
    (texts, _), _ = _texts(seed, False)
    sources = ["".join(t) for t in texts]
    return (sources, [s[::-1] for s in sources]), sources[:5]


def _predict(est, x):
    out = est.predict(x)
    return out.to_numpy() if isinstance(out, pd.DataFrame) else out


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request):
    return CASES[request.param]


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_estimator_is_in_the_battery():
    import seqlab.tasks.labelling.base  # the shared base of the text tasks, not an estimator itself

    found = {c.__name__ for c in _all_subclasses(Estimator) if c.__module__.startswith("seqlab")}
    assert found - {seqlab.tasks.labelling.base.TextTask.__name__} == set(CASES)


def test_signature_is_explicit_and_fit_load_return_the_class(case):
    cls, _, _ = case
    kinds = {p.kind for p in inspect.signature(cls.__init__).parameters.values()}
    assert (
        inspect.Parameter.VAR_KEYWORD not in kinds and inspect.Parameter.VAR_POSITIONAL not in kinds
    )
    assert "**" not in str(inspect.signature(cls))
    assert "model" in inspect.signature(cls).parameters  # the backbone has one name everywhere
    hints = typing.get_type_hints(cls.fit, localns={"Self": typing.Self})
    assert hints["return"] is typing.Self
    assert typing.get_type_hints(cls.load, localns={"Self": typing.Self})["return"] is typing.Self


def test_clone_and_params_round_trip(case):
    cls, params, _ = case
    est = cls(**params)
    twin = clone(est)
    assert twin is not est and type(twin) is cls and twin.get_params() == est.get_params()
    assert cls(**est.get_params()).get_params() == est.get_params()
    assert est.set_params(seed=3) is est and est.get_params()["seed"] == 3
    assert cls().get_params() == {
        name: p.default for name, p in inspect.signature(cls).parameters.items()
    }  # __init__ stores its arguments unchanged


def test_repr_shows_only_changed_parameters(case):
    cls, _, _ = case
    assert repr(cls()) == f"{cls.__name__}()"
    assert repr(cls(seed=7)) == f"{cls.__name__}(seed=7)"


def test_predict_before_fit_is_not_fitted_error(case):
    cls, params, data = case
    _, x = data(0)
    with pytest.raises(NotFittedError, match=rf"^predict of {cls.__name__} must come after fit"):
        cls(**params).predict(x)
    with pytest.raises(NotFittedError):
        cls(**params).save("never-written")


def test_fit_returns_self_and_a_second_fit_forgets_the_first(case):
    cls, params, data = case
    first, x = data(0)
    second, _ = data(1)
    est = cls(**params)
    assert est.fit(*first) is est
    est.fit(*second)
    fresh = cls(**params).fit(*second)
    np.testing.assert_array_equal(_predict(est, x), _predict(fresh, x))
    assert est.get_params() == fresh.get_params()


def test_save_load_gives_identical_predictions(case, tmp_path):
    cls, params, data = case
    train, x = data(0)
    est = cls(**params).fit(*train)
    folder = est.save(tmp_path / "saved")
    loaded = cls.load(folder, device="cpu")
    assert type(loaded) is cls and loaded.get_params() == est.get_params()
    np.testing.assert_array_equal(_predict(loaded, x), _predict(est, x))
    assert "seqlab_version" in (folder / "config.json").read_text()


def test_load_refuses_unknown_parameters_and_missing_folders(case, tmp_path):
    cls, params, data = case
    train, _ = data(0)
    folder = cls(**params).fit(*train).save(tmp_path / "saved")
    config = (folder / "config.json").read_text()
    (folder / "config.json").write_text(config.replace('"seed"', '"sead"'))
    with pytest.raises(CheckpointError, match=r"must hold .* parameters; got unknown \['sead'\]"):
        cls.load(folder)
    with pytest.raises(CheckpointError, match=rf"^path of {cls.__name__}.load must be a folder"):
        cls.load(tmp_path / "nowhere")


def test_evaluate_reports_rates_in_percent():
    """One unit convention: every rate (accuracy, F1, MAPE, direction) is in %."""
    (texts, tags), _ = _texts(0, True)
    tagger = SequenceTagger(crf=True, **{**SMALL_TEXT, "epochs": 15}).fit(texts, tags)
    assert 50 < tagger.evaluate(texts, tags)["accuracy"] <= 100
    (texts, labels), _ = _texts(0, False)
    scores = SequenceClassifier(**SMALL_TEXT).fit(texts, labels).evaluate(texts, labels)
    assert 1 < scores["accuracy"] <= 100 and 1 < scores["macro_f1"] <= 100
    df = _series(0)
    ev = Forecaster(model="drift", lookback=12, horizon=3).fit(df).evaluate(df)
    assert 1 < ev.metrics["direction"] <= 100 and 1 < ev.naive["smape"] <= 200


def test_the_text_tasks_and_tools_are_reachable_from_the_package():
    assert sl.tasks.SequenceTagger is SequenceTagger
    assert sl.tasks.SequenceClassifier is SequenceClassifier
    assert sl.text.Segmenter.__name__ == "Segmenter"
