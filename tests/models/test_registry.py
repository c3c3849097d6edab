"""A model is one file and one registry line: a toy model with a setting of its own trains
through Forecaster and `seqlab forecast` without either knowing it."""

import json

import pytest
import torch
from torch import Tensor, nn
from typer.testing import CliRunner

import seqlab as sl
from seqlab.cli import app
from seqlab.errors import ConfigError
from seqlab.models import REGISTRY, build, model_parameters
from seqlab.models.shape import Shape
from seqlab.models.wrappers import WithRevIN


class Toy(nn.Module):
    """The last ``width`` steps of the window, mapped linearly to the horizon."""

    trainable = True

    def __init__(self, shape: Shape, width: int = 4) -> None:
        super().__init__()
        self.shape, self.width = shape, width
        self.map = nn.Linear(width * shape.input_size, shape.horizon * shape.output_size)

    def forward(self, x: Tensor) -> Tensor:
        y = self.map(x[:, -self.width :].flatten(1))
        return y.view(len(x), self.shape.horizon, self.shape.output_size)


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setitem(REGISTRY, "toy", (__name__, "Toy", {}))
    return "toy"


def test_a_registered_model_trains_with_its_own_setting(toy):
    assert model_parameters(toy) == {"width": 4}
    df = sl.datasets.load("sine")
    fc = sl.Forecaster(model=toy, lookback=20, horizon=3, epochs=2, model_params={"width": 6})
    fc.fit(df)
    assert fc.model_.map.in_features == 6
    assert len(fc.predict(df)) == 3
    default = sl.Forecaster(model=toy, lookback=20, horizon=3, epochs=1).fit(df)
    assert default.model_.map.in_features == 4  # the model's own default


def test_unknown_model_params_name_the_models_own(toy):
    fc = sl.Forecaster(model=toy, lookback=20, horizon=3, model_params={"widht": 6})
    with pytest.raises(ConfigError) as err:
        fc.fit(sl.datasets.load("sine"))
    assert str(err.value) == (
        "model_params of the toy model must name its own parameters (width); got ['widht']. "
        "Set hidden_size, num_layers, dropout directly, and check the spelling of the others."
    )


def test_seqlab_forecast_trains_a_registered_model_with_param(toy, tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--dataset",
            "sine",
            "--models",
            toy,
            "--param",
            "toy.width=5",
            "--lookback",
            "20",
            "--horizon",
            "3",
            "--epochs",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = json.loads((out / toy / "config.json").read_text())
    assert saved["model"] == "toy" and saved["model_params"] == {"width": 5}
    assert json.loads((out / "config.json").read_text())["model_params"] == {"toy": {"width": 5}}
    board = [row["model"] for row in json.loads((out / "leaderboard.json").read_text())]
    assert sorted(board) == ["drift", "naive", "toy"]


def test_param_for_a_model_not_in_the_run_is_refused(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "forecast",
            "--dataset",
            "sine",
            "--models",
            "gru",
            "--param",
            "tcn.kernel_size=5",
            "--epochs",
            "1",
            "--out",
            str(tmp_path / "run"),
        ],
    )
    assert result.exit_code == 1
    assert "model_params of the run must name models of the run" in result.output


def test_revin_wraps_a_model_once():
    shape = Shape(lookback=32, horizon=4, input_size=2, output_size=2, target_index=(0, 1))
    common = {"hidden_size": 8, "num_layers": 1, "dropout": 0.0}
    wrapped = build("lstm", shape, common=common, revin=True)
    assert isinstance(wrapped, WithRevIN)
    patch = build("patchtst", shape, common=common, revin=True)  # normalises itself already
    assert not isinstance(patch, WithRevIN)
    assert sum(type(m).__name__ == "RevIN" for m in patch.modules()) == 1
    assert patch(torch.randn(3, 32, 2)).shape == (3, 4, 2)
