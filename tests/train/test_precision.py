"""The training arithmetic: "auto" is bf16 exactly where the device has it, what a run used
is recorded, every task trains under bf16, and a bf16-trained model saves and loads exactly."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import seqlab as sl
from seqlab.errors import ConfigError
from seqlab.tasks import LanguageModel, Seq2Seq, SequenceClassifier
from seqlab.train import TrainConfig, Trainer
from seqlab.train import precision as arithmetic
from seqlab.train.precision import resolve_precision


@pytest.mark.parametrize("native", [True, False])
def test_auto_is_bf16_exactly_where_the_cpu_has_it(monkeypatch, native):
    monkeypatch.setattr(arithmetic, "cpu_has_bf16", lambda: native)
    cpu = torch.device("cpu")
    assert resolve_precision("auto", cpu) == ("bf16" if native else "fp32")
    assert resolve_precision("fp32", cpu) == "fp32"  # forced either way
    assert resolve_precision("bf16", cpu) == "bf16"


def test_on_a_cpu_auto_is_bf16_only_for_the_models_measured_faster_under_it(monkeypatch):
    monkeypatch.setattr(arithmetic, "cpu_has_bf16", lambda: True)
    monkeypatch.setattr(arithmetic, "CPU_BF16", {"transformer": None})
    cpu = torch.device("cpu")
    assert resolve_precision("auto", cpu, "transformer") == "bf16"
    assert resolve_precision("auto", cpu, "rnn") == "fp32"  # measured slower in bf16
    assert resolve_precision("auto", cpu) == "bf16"  # no model named: the device decides
    assert resolve_precision("bf16", cpu, "rnn") == "bf16"  # forced


def test_auto_picks_on_a_cpu_what_the_measurements_picked():
    measured = Path(__file__).resolve().parents[2] / "benchmarks/results/precision_speed.json"
    rows = json.loads(measured.read_text())["models"]
    picked = {
        name: 1 if row["pick"] == "bf16-1" else None
        for name, row in rows.items()
        if row["pick"] != "fp32"
    }
    assert picked == arithmetic.CPU_BF16
    for name in arithmetic.CPU_BF16:  # each pick faster, its error within 2 % of fp32's
        row = rows[name]
        arm = row["pick"]
        assert row["speedup"][arm] > 1.05
        fp32, ours = row["fp32"][row["error"]], row[arm][row["error"]]
        better = ours >= fp32 if row["error"] == "exact" else ours <= fp32  # exact: higher
        assert better or abs(ours - fp32) <= 0.02 * abs(fp32)


def test_the_cpu_probe_agrees_with_the_cpu_flags():
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        pytest.skip("no /proc/cpuinfo to compare with")
    flags = cpuinfo.read_text()
    assert arithmetic.cpu_has_bf16() == ("avx512_bf16" in flags or "amx_bf16" in flags)


class _Rows:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def batch(self, index):
        return self.x[index], self.y[index]


@pytest.mark.parametrize(("native", "used"), [(True, "bf16"), (False, "fp32")])
def test_a_run_records_the_arithmetic_auto_chose(monkeypatch, native, used):
    monkeypatch.setattr(arithmetic, "cpu_has_bf16", lambda: native)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(128, 4, generator=g)
    data = _Rows(x, x.sum(1, keepdim=True))
    result = Trainer(TrainConfig(epochs=1, precision="auto")).fit(torch.nn.Linear(4, 1), data, data)
    assert result.precision == used


def test_an_unknown_precision_is_one_sentence():
    with pytest.raises(ConfigError, match=r"^precision of TrainConfig must be one of 'auto', "):
        TrainConfig(precision="fp16")


def test_a_language_model_trains_and_scores_in_bf16():
    """Its loss's head ran outside autocast: bf16 states met float32 weights and training
    stopped with a dtype error."""
    text = ["to be, or not to be, that is the question. " * 30]
    common = {"model": "lstm", "hidden_size": 16, "num_layers": 1, "context": 16}
    common |= {"epochs": 2, "batch_size": 4, "device": "cpu", "seed": 0}
    bf16 = LanguageModel(**common, precision="bf16").fit(text)
    fp32 = LanguageModel(**common, precision="fp32").fit(text)
    a, b = bf16.evaluate(text)["loss"], fp32.evaluate(text)["loss"]
    assert math.isfinite(a) and abs(a - b) / b < 0.05  # within 5 % of float32's


def test_the_text_tasks_train_in_bf16():
    texts = [list("很好看"), list("太差了"), list("好看"), list("差")] * 8
    labels = ["pos", "neg", "pos", "neg"] * 8
    clf = SequenceClassifier(model="gru", epochs=2, device="cpu", precision="bf16")
    assert clf.fit(texts, labels).predict(texts[:2])
    s2s = Seq2Seq(model="gru", hidden_size=16, embedding_dim=8, epochs=1, device="cpu")
    s2s.set_params(precision="bf16").fit(["ab", "cd", "ef", "gh"] * 4, ["ba", "dc", "fe", "hg"] * 4)
    assert all(isinstance(t, str) for t in s2s.predict(["ab"]))


def test_a_bf16_trained_forecaster_predicts_finite_numbers_and_saves_exactly(tmp_path):
    df = sl.datasets.load("sine")
    params = {"model": "lstm", "lookback": 24, "horizon": 4, "epochs": 2, "seed": 0}
    bf16 = sl.Forecaster(**params, precision="bf16").fit(df)
    fp32 = sl.Forecaster(**params, precision="fp32").fit(df)
    forecast = bf16.predict(df)
    assert np.isfinite(forecast.to_numpy()).all()
    pd.testing.assert_frame_equal(
        sl.Forecaster.load(bf16.save(tmp_path / "m")).predict(df), forecast
    )
    a, b = bf16.history_["val_loss"].iloc[-1], fp32.history_["val_loss"].iloc[-1]
    assert abs(a - b) / b < 0.10  # bf16 trains to within 10 % of float32's validation loss
    assert not forecast.equals(fp32.predict(df))  # and it did run in bf16


def test_the_arithmetic_a_forecaster_used_is_kept_saved_and_reported(monkeypatch, tmp_path):
    from seqlab.config import RunConfig
    from seqlab.report import write_run
    from seqlab.tasks.forecasting.experiment import run_forecast

    monkeypatch.setattr(arithmetic, "cpu_has_bf16", lambda: False)  # a CPU without bf16
    df = sl.datasets.load("sine")
    fc = sl.Forecaster(model="dlinear", lookback=24, horizon=4, epochs=1, precision="auto")
    assert fc.fit(df).precision_ == "fp32"
    assert sl.Forecaster.load(fc.save(tmp_path / "m")).precision_ == "fp32"
    assert sl.Forecaster(model="naive", lookback=24, horizon=4).fit(df).precision_ is None
    config = RunConfig(dataset="sine", models=["dlinear"], epochs=1, lookback=24, horizon=4)
    result = run_forecast(config, tmp_path / "run")
    assert result.leaderboard.loc["dlinear", "precision"] == "fp32"
    assert result.leaderboard.loc["naive", "precision"] == ""  # nothing trained
    write_run(result)
    page = (tmp_path / "run" / "report.html").read_text()
    assert "<th>arithmetic</th>" in page and "<td>fp32</td>" in page


def test_a_model_saved_before_precision_existed_loads_as_the_fp32_it_was_trained_in(tmp_path):
    from seqlab.io import read_json, write_json

    lm = LanguageModel(model="gru", hidden_size=8, num_layers=1, epochs=1, device="cpu")
    folder = lm.fit(["to be or not to be"] * 4).save(tmp_path / "lm")
    assert LanguageModel.load(folder).precision == "auto"  # saved now: kept as given
    config = read_json(folder / "config.json")
    del config["precision"]
    write_json(folder / "config.json", config)
    assert LanguageModel.load(folder).precision == "fp32"


def test_auto_gives_a_model_measured_faster_on_one_thread_one_thread_to_train(monkeypatch):
    monkeypatch.setattr(arithmetic, "cpu_has_bf16", lambda: True)
    monkeypatch.setattr(arithmetic, "CPU_BF16", {"lstm": 1, "tcn": None})
    cpu = torch.device("cpu")
    assert arithmetic.arithmetic("auto", cpu, "lstm") == {"precision": "bf16", "threads": 1}
    assert arithmetic.arithmetic("auto", cpu, "tcn") == {"precision": "bf16", "threads": None}
    assert arithmetic.arithmetic("bf16", cpu, "lstm")["threads"] is None  # forced: as it is
    assert arithmetic.arithmetic("auto", cpu, "gru") == {"precision": "fp32", "threads": None}
    monkeypatch.setattr(arithmetic, "cpu_has_bf16", lambda: False)
    assert arithmetic.arithmetic("auto", cpu, "lstm") == {"precision": "fp32", "threads": None}


def test_the_training_passes_run_on_the_threads_asked_and_give_them_back():
    before = torch.get_num_threads()
    seen = []

    class Probe(torch.nn.Linear):
        def forward(self, x):
            seen.append((self.training, torch.get_num_threads()))
            return super().forward(x)

    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
    data = _Rows(x, x.sum(1, keepdim=True))
    result = Trainer(TrainConfig(epochs=1, batch_size=32, threads=1)).fit(Probe(4, 1), data, data)
    assert result.threads == 1 and torch.get_num_threads() == before
    assert {n for training, n in seen if training} == {1}  # the training steps
    assert {n for training, n in seen if not training} == {before}  # validation: as it was


@pytest.mark.parametrize(("native", "used"), [(True, "bf16"), (False, "fp32")])
def test_prediction_under_auto_runs_a_bf16_copy_where_the_cpu_has_it(monkeypatch, native, used):
    monkeypatch.setattr(arithmetic, "cpu_has_bf16", lambda: native)
    cpu = torch.device("cpu")
    assert arithmetic.resolve_inference("auto", cpu) == used
    assert arithmetic.resolve_inference("fp32", cpu) == "fp32"
    texts = [list("很好看"), list("太差了"), list("好看"), list("差")] * 8
    labels = ["pos", "neg", "pos", "neg"] * 8
    clf = SequenceClassifier(model="lstm", epochs=2, device="cpu", hidden_size=16).fit(
        texts, labels
    )
    proba = clf.predict_proba(texts[:4])
    dtype = torch.bfloat16 if used == "bf16" else torch.float32
    assert {p.dtype for p in clf._predictor().parameters()} == {dtype}
    clf.set_params(precision="fp32")
    exact = clf.predict_proba(texts[:4])
    assert clf._predictor() is clf.model_
    np.testing.assert_allclose(proba, exact, atol=0.02)  # bf16 rounds; the answer stands
    assert (proba.argmax(1) == exact.argmax(1)).all()
