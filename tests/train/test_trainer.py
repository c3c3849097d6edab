"""The trainer knows nothing of forecasting: a toy regression on plain tensors."""

import itertools
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from seqlab.errors import ConfigError
from seqlab.train import Hooks, TrainConfig, Trainer


@dataclass
class Pairs:
    x: torch.Tensor
    y: torch.Tensor

    def __len__(self):
        return len(self.x)

    def batch(self, index):
        return self.x[index], self.y[index]


def _data(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g)
    return Pairs(x, x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3)


def test_learns_a_linear_map_and_logs_every_epoch():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    result = Trainer(TrainConfig(epochs=40, lr=0.05, batch_size=32, patience=None)).fit(
        model, _data(), _data(seed=1)
    )
    assert len(result.history) == 40
    assert set(result.history[0]) == {"epoch", "train_loss", "val_loss", "lr", "seconds"}
    assert result.history[-1]["val_loss"] < 1e-3
    torch.testing.assert_close(
        model.weight.data, torch.tensor([[1.0, -2.0, 0.5]]), atol=0.02, rtol=0
    )


def test_cosine_schedule_lowers_the_learning_rate():
    result = Trainer(TrainConfig(epochs=5, lr=0.01, patience=None)).fit(nn.Linear(3, 1), _data())
    lrs = [h["lr"] for h in result.history]
    assert lrs[0] == pytest.approx(0.01) and all(a > b for a, b in itertools.pairwise(lrs))


def test_early_stopping_restores_the_best_weights():
    """A validation set the model gets worse on: training stops and the best epoch's weights
    come back."""
    torch.manual_seed(0)
    train = _data()
    val = Pairs(train.x, -train.y)  # opposite target: val loss rises as train loss falls
    model = nn.Linear(3, 1)
    trainer = Trainer(TrainConfig(epochs=50, lr=0.05, patience=3))
    result = trainer.fit(model, train, val)
    assert result.stopped_early and len(result.history) == result.best_epoch + 3
    best = min(h["val_loss"] for h in result.history)
    assert trainer.evaluate(model, val) == pytest.approx(best, rel=1e-5)


def test_a_validation_score_decides_instead_of_the_loss():
    """Selection follows score(model) (lower is better), whatever the validation loss does:
    here the score prefers the first epoch while the loss keeps falling."""
    torch.manual_seed(0)
    model, seen = nn.Linear(3, 1), []

    def score(m):
        seen.append(m.weight.detach().clone())
        return float(len(seen) > 1)  # 0 for epoch 1, 1 after

    result = Trainer(TrainConfig(epochs=6, lr=0.05, patience=2)).fit(
        model, _data(), _data(seed=1), hooks=Hooks(score=score)
    )
    assert [h["val_score"] for h in result.history] == [0.0, 1.0, 1.0]
    assert result.best_epoch == 1 and result.stopped_early
    assert result.history[2]["val_loss"] < result.history[0]["val_loss"]
    torch.testing.assert_close(model.weight.data, seen[0])


def test_same_seed_same_weights():
    weights = []
    for _ in range(2):
        torch.manual_seed(1)
        model = nn.Sequential(nn.Linear(3, 8), nn.Dropout(0.5), nn.Linear(8, 1))
        Trainer(TrainConfig(epochs=3, seed=7)).fit(model, _data())
        weights.append(torch.cat([p.flatten() for p in model.parameters()]))
    assert torch.equal(weights[0], weights[1])


def test_bad_config_is_one_sentence():
    with pytest.raises(ConfigError) as err:
        TrainConfig(batch_size=0)
    assert str(err.value) == "batch_size of TrainConfig must be a positive integer; got 0."


def test_auto_device_picks_cuda_when_present(monkeypatch):
    from seqlab.train import resolve_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_stop_below_ends_training_once_the_validation_loss_is_under_it():
    class Rows:
        def __init__(self, n):
            g = torch.Generator().manual_seed(0)
            self.x = torch.randn(n, 3, generator=g)
            self.y = self.x.sum(1, keepdim=True)

        def __len__(self):
            return len(self.x)

        def batch(self, index):
            return self.x[index], self.y[index]

    torch.manual_seed(0)
    config = TrainConfig(epochs=20, batch_size=16, lr=0.05, patience=None, stop_below=0.05)
    result = Trainer(config).fit(torch.nn.Linear(3, 1), Rows(256), Rows(64))
    assert result.stopped_early and len(result.history) < 20
    assert result.history[-1]["val_loss"] < 0.05
    assert all(r["val_loss"] >= 0.05 for r in result.history[:-1])
