import json

import numpy as np
import pandas as pd
import pytest

import seqlab as sl
from seqlab.errors import CheckpointError, ConfigError, DataError, NotFittedError

FAST = {"hidden_size": 8, "num_layers": 1, "epochs": 2, "lr": 1e-2, "batch_size": 64}


@pytest.fixture(scope="module")
def msft():
    return sl.datasets.load("msft").iloc[-600:]


@pytest.fixture(scope="module")
def fitted(msft):
    return sl.Forecaster(
        model="gru", target="Close", features=["Close", "Volume"], lookback=30, horizon=5, **FAST
    ).fit(msft)


def test_predict_gives_the_next_business_days(fitted, msft):
    future = fitted.predict(msft)
    assert msft.index[-1] == pd.Timestamp("2017-11-10")  # a Friday
    assert list(future.index.strftime("%a %d")) == [
        "Mon 13",
        "Tue 14",
        "Wed 15",
        "Thu 16",
        "Fri 17",
    ]
    assert list(future.columns) == ["Close"]


def test_scaler_is_fitted_on_training_rows_only(fitted, msft):
    train = msft[["Close", "Volume"]].iloc[: fitted.split_.train_end]
    np.testing.assert_allclose(fitted.scaler_.center, train.mean().to_numpy())
    assert fitted.split_.train_end == 420 and fitted.split_.val_end == 480


def test_history_log(fitted):
    assert list(fitted.history_.columns) == ["epoch", "train_loss", "val_loss", "lr", "seconds"]
    assert len(fitted.history_) == 2 and fitted.n_params_ > 0


def test_evaluate_in_original_units_with_naive_and_skill(fitted, msft):
    ev = fitted.evaluate(msft)
    assert set(ev.metrics) == {"mse", "rmse", "mae", "mape", "smape", "mase", "direction"}
    assert list(ev.per_step.index) == [1, 2, 3, 4, 5]
    # 120 test rows, H = 5: every window whose 5 targets are test rows is scored.
    assert ev.y_true.shape == (116, 5, 1)
    close = msft["Close"].to_numpy()
    np.testing.assert_allclose(ev.y_true[0, :, 0], close[480:485], rtol=1e-6)
    np.testing.assert_allclose(ev.y_naive[0, :, 0], close[479], rtol=1e-6)
    naive_rmse = np.sqrt(np.mean((ev.y_naive - ev.y_true) ** 2))
    assert ev.naive["rmse"] == pytest.approx(naive_rmse)
    assert ev.skill == pytest.approx(1 - ev.metrics["rmse"] / naive_rmse)
    assert ev.dates[0] == msft.index[480]


def test_same_seed_identical_predictions(msft):
    runs = [
        sl.Forecaster(
            model="lstm", target="Close", lookback=20, horizon=3, dropout=0.1, seed=3, **FAST
        )
        .fit(msft)
        .predict(msft)
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0], runs[1])


def test_recursive_strategy(msft):
    fc = sl.Forecaster(
        model="gru", target="Close", lookback=20, horizon=4, strategy="recursive", **FAST
    ).fit(msft)
    assert fc.shape_.horizon == 1 and len(fc.predict(msft)) == 4
    assert fc.evaluate(msft).y_pred.shape[1] == 4


def test_recursive_with_extra_features_is_refused(msft):
    fc = sl.Forecaster(
        model="gru", target="Close", features=["Close", "Volume"], strategy="recursive"
    )
    with pytest.raises(ConfigError) as err:
        fc.fit(msft)
    assert str(err.value) == (
        "features of Forecaster must all be targets with strategy='recursive', since a one-step "
        "model must forecast every input it is fed back; got ['Volume'] beyond ['Close']. Add "
        "them to target, or use strategy='direct'."
    )


def test_several_targets(msft):
    fc = sl.Forecaster(
        model="dlinear",
        target=["Close", "Open"],
        lookback=20,
        horizon=2,
        strategy="recursive",
        epochs=2,
    ).fit(msft)
    assert list(fc.predict(msft).columns) == ["Close", "Open"]


def test_predict_before_fit():
    with pytest.raises(NotFittedError) as err:
        sl.Forecaster().predict(pd.DataFrame())
    assert str(err.value) == (
        "predict of Forecaster must come after fit; got an unfitted Forecaster. "
        "Call fit(...) first, or Forecaster.load(path)."
    )


def test_get_and_set_params():
    fc = sl.Forecaster(model="gru", lookback=10)
    params = fc.get_params()
    assert params["model"] == "gru" and params["lookback"] == 10 and params["seed"] == 0
    assert fc.set_params(lookback=20) is fc and fc.lookback == 20
    with pytest.raises(ConfigError):
        fc.set_params(lookbak=5)
    assert repr(fc) == "Forecaster(model='gru', lookback=20)"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"model": "prophet"},
            "model must be one of the registered models rnn, lstm, gru, transformer, tcn, "
            "dlinear, segrnn, patchtst, nbeats, naive, seasonal_naive, drift, mean, naive2, ets, "
            "arima, theta, mstl; got 'prophet'. Pick "
            "one of them, or add yours to seqlab.models.REGISTRY.",
        ),
        ({"horizon": 0}, "horizon of Forecaster must be a positive integer; got 0."),
        (
            {"scaler": "robust"},
            "scaler of Forecaster must be one of 'standard', 'minmax', "
            "'none', 'asinh'; got 'robust'. Pick one of the listed values.",
        ),
    ],
)
def test_bad_params_are_checked_in_fit(params, message, msft):
    fc = sl.Forecaster(target="Close", **params)  # constructing never raises
    with pytest.raises(ConfigError) as err:
        fc.fit(msft)
    assert str(err.value) == message


def test_too_few_rows(msft):
    with pytest.raises(DataError) as err:
        sl.Forecaster(target="Close", lookback=200, horizon=5).fit(msft.iloc[:250])
    assert str(err.value) == (
        "data must have enough rows for lookback=200 and horizon=5 in each of the "
        "train/validation/test parts; got 250 rows, which leave 0 training, 0 validation, 46 "
        "test windows. Use a shorter lookback or horizon, or more data."
    )


def test_constant_target():
    df = pd.DataFrame({"y": np.ones(100)}, index=pd.date_range("2020", periods=100))
    with pytest.raises(DataError) as err:
        sl.Forecaster(lookback=5).fit(df)
    assert str(err.value) == (
        "target 'y' of the data must vary over the training rows; got the constant 1.0. "
        "A constant series has nothing to learn."
    )


def test_missing_target_column(msft):
    with pytest.raises(DataError) as err:
        sl.Forecaster(target="Price").fit(msft)
    assert str(err.value) == (
        "column 'Price' of the data must exist; got columns Open, High, Low, Close, Volume. "
        "Choose the target and features among them."
    )


def test_backtest_rolls_the_origin(msft):
    fc = sl.Forecaster(model="naive", target="Close", lookback=10, horizon=3)
    bt = fc.backtest(msft, folds=3)
    assert list(bt.folds.index) == [1, 2, 3]
    assert (bt.folds["test_start"].diff().dropna() > pd.Timedelta(0)).all()
    assert bt.folds["skill"].abs().max() < 1e-12  # naive against naive
    assert bt.per_step.index.names == ["fold", "step"] and len(bt.per_step) == 9
    assert not hasattr(fc, "model_")  # the forecaster itself stays unfitted


def test_load_missing_and_corrupted_files(fitted, tmp_path):
    path = fitted.save(tmp_path / "run")
    assert sorted(p.name for p in path.iterdir()) == [
        "config.json",
        "history.csv",
        "model.safetensors",
        "panel.safetensors",
        "state.json",
    ]
    assert json.loads((path / "config.json").read_text())["seqlab_version"] == sl.__version__
    (path / "model.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(CheckpointError) as err:
        sl.Forecaster.load(path)
    assert str(err.value).startswith(
        f"model.safetensors of the saved model at '{path}' must be a valid safetensors file"
    )
    (path / "state.json").unlink()
    with pytest.raises(CheckpointError) as err:
        sl.Forecaster.load(path)
    assert str(err.value) == (
        f"state.json of the saved model at '{path}' must exist; got no such file. Point to a "
        "folder written by save(), holding its JSON files."
    )


def test_revin_wraps_the_model_and_survives_save_load(msft, tmp_path):
    fc = sl.Forecaster(model="gru", target="Close", lookback=20, horizon=3, revin=True, **FAST)
    fc.fit(msft)
    assert any(name.startswith("revin.") for name in fc.model_.state_dict())
    loaded = sl.Forecaster.load(fc.save(tmp_path / "revin"))
    pd.testing.assert_frame_equal(loaded.predict(msft), fc.predict(msft))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_direct_head_reads_the_final_state_not_the_last_outputs(bidirectional):
    """The head's input is the last layer's final hidden state (both directions), one summary
    of the whole window, and not the outputs at the last H positions."""
    import torch

    from seqlab.models import Shape, build

    shape = Shape(lookback=12, horizon=4, input_size=1, output_size=1, target_index=(0,))
    params = sl.Forecaster().get_params()
    model = build(
        "lstm", shape, common=params, model_params={"bidirectional": bidirectional}
    ).eval()
    seen = {}
    model.head.register_forward_hook(lambda m, inputs, out: seen.update(head_in=inputs[0]))
    x = torch.randn(3, 12, 1)
    model(x)
    _, (h, _) = model.encoder(x)
    d = 2 if bidirectional else 1
    want = h[-d:].transpose(0, 1).reshape(3, -1)  # (N, D*hidden)
    torch.testing.assert_close(seen["head_in"], want)
    assert model.head.in_features == d * params["hidden_size"]


def test_baselines_forecast_the_datas_own_numbers():
    """naive repeats the last value exactly (no float32 round trip through the scaler)."""
    index = pd.date_range("2020-01-01", periods=300, freq="D")
    values = 700 + np.round(np.random.default_rng(0).normal(0, 5, 300).cumsum(), 2)
    values[-1] = 740.0
    df = pd.DataFrame({"price": values}, index=index)
    naive = sl.Forecaster(model="naive", lookback=10, horizon=3).fit(df)
    assert naive.predict(df)["price"].tolist() == [740.0, 740.0, 740.0]
    drift = sl.Forecaster(model="drift", lookback=10, horizon=2).fit(df).predict(df)["price"]
    slope = (values[-1] - values[-10]) / 9
    assert drift.tolist() == [740.0 + slope, 740.0 + 2 * slope]
    ev = naive.evaluate(df)
    np.testing.assert_array_equal(ev.y_pred, ev.y_naive)  # the naive model is the naive forecast
    assert ev.skill == 0.0


def test_a_save_from_before_model_params_loads_with_its_settings(tmp_path, msft):
    """Older saves held model settings as Forecaster parameters; they load unchanged."""
    import json

    df = msft.iloc[-400:]
    params = {"model": "gru", "target": "Close", "lookback": 20, "horizon": 2, "epochs": 1}
    fc = sl.Forecaster(**params, model_params={"bidirectional": True}).fit(df)
    folder = fc.save(tmp_path / "new")
    config = json.loads((folder / "config.json").read_text())
    del config["model_params"]
    old = {**config, "bidirectional": True, "num_heads": 4, "kernel_size": 25, "patch_len": None}
    (folder / "config.json").write_text(json.dumps(old))
    loaded = sl.Forecaster.load(folder)
    assert loaded.model_params == {"bidirectional": True}
    pd.testing.assert_frame_equal(loaded.predict(df), fc.predict(df))
