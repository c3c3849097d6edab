"""Forecasting: from a time-indexed DataFrame to dated forecasts, honest by default.

The pipeline, in order: check the columns (numeric, finite, a varying target); split the rows
in time order into train / validation / test; fit the scaler on the training rows only; cut
windows as views; train on the training windows with early stopping on the validation windows
(the test windows take no part in fitting or model selection); forecast; score the test windows
in the data's own units beside the naive forecast.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from seqlab import __version__
from seqlab.data.scaler import Scaler
from seqlab.data.table import check_series, future_index, infer_frequency
from seqlab.data.windows import Split, Windows, WindowSet, chronological_split
from seqlab.errors import (
    CheckpointError,
    ConfigError,
    DataError,
    NotFittedError,
    Rule,
    check,
    one_of,
    positive_int,
    probability,
)
from seqlab.estimator import Estimator
from seqlab.io import atomic_write, read_json, read_tensors, write_json, write_tensors
from seqlab.metrics import forecast_metrics, naive_scale
from seqlab.models import Shape, build, model_class
from seqlab.nn import RevIN
from seqlab.train import TrainConfig, Trainer, resolve_device

__all__ = ["Backtest", "Evaluation", "Forecaster"]

# Season lengths for seasonal_naive when season_length is not given, by pandas frequency.
_SEASONS = {"B": 5, "D": 7, "W": 52, "MS": 12, "ME": 12, "M": 12, "QS": 4, "QE": 4, "h": 24}


def _fraction(v: Any) -> bool:
    return isinstance(v, int | float) and 0 < v < 1


_RULES = {
    "target": Rule(
        "a column name or a non-empty list of them",
        lambda v: v is None or isinstance(v, str) or (isinstance(v, list | tuple) and len(v) > 0),
    ),
    "lookback": positive_int(),
    "horizon": positive_int(),
    "strategy": one_of("direct", "recursive"),
    "hidden_size": positive_int(),
    "num_layers": positive_int(),
    "dropout": probability(),
    "num_heads": positive_int(),
    "kernel_size": positive_int(),
    "season_length": Rule("None or a positive integer", lambda v: v is None or v > 0),
    "scaler": one_of("standard", "minmax", "none"),
    "val_size": Rule("a fraction in (0, 1)", _fraction),
    "test_size": Rule("a fraction in (0, 1)", _fraction),
    "missing": one_of("error", "ffill", "interpolate"),
    "patch_len": Rule("None or a positive integer", lambda v: v is None or v > 0),
    "loss": one_of("mse", "mae"),
}

_LOSSES = {"mse": nn.functional.mse_loss, "mae": nn.functional.l1_loss}


@dataclass
class Evaluation:
    """Scores on the test windows, in the data's own units, beside the naive forecast.

    ``metrics`` and ``naive`` hold MSE, RMSE, MAE, MAPE, sMAPE, MASE and direction accuracy
    (%); ``per_step`` and ``naive_per_step`` the same by horizon step; ``skill`` is
    1 - RMSE / RMSE_naive (above 0: better than "tomorrow = today"). ``y_true``, ``y_pred``
    and ``y_naive`` are (windows, H, targets); ``dates`` the date of each window's first step.
    """

    metrics: dict[str, float]
    per_step: pd.DataFrame
    naive: dict[str, float]
    naive_per_step: pd.DataFrame
    skill: float
    y_true: np.ndarray
    y_pred: np.ndarray
    y_naive: np.ndarray
    dates: pd.Index
    targets: list[str]

    def summary(self) -> dict[str, float]:
        return {**self.metrics, "naive_rmse": self.naive["rmse"], "skill": self.skill}


@dataclass
class Backtest:
    """Rolling-origin evaluation: one row per fold, and per fold and step."""

    folds: pd.DataFrame
    per_step: pd.DataFrame


class _WithRevIN(nn.Module):
    """Any model wrapped in reversible instance normalisation ([Kim et al. 2022], seqlab.nn)."""

    def __init__(self, model: nn.Module, shape: Shape) -> None:
        super().__init__()
        self.model = model
        self.revin = RevIN(shape.input_size)
        self.target_index = list(shape.target_index)

    def forward(self, x: Tensor) -> Tensor:
        x_hat, (mu, sigma) = self.revin(x)
        y_hat = self.model(x_hat)  # (N, H, C_out)
        i = self.target_index
        y = (y_hat - self.revin.bias[i]) / (self.revin.weight[i] + self.revin.eps**2)
        return y * sigma[..., i] + mu[..., i]


class Forecaster(Estimator):
    """Train a sequence model on a time series and forecast the next ``horizon`` steps.

    Args:
        model: a registered model: rnn, lstm, gru, transformer, tcn, dlinear, segrnn,
            patchtst, or a baseline naive, seasonal_naive, drift, mean.
        target: the column to forecast, or a list of columns; None takes the only column.
        features: input columns (the targets are always inputs); None means the targets alone.
        lookback: L, rows each forecast reads.
        horizon: H, steps forecast after the last row.
        strategy: "direct" (one model emits all H steps) or "recursive" (a one-step model fed
            its own forecasts; every input must then be a target).
        hidden_size, num_layers, dropout, bidirectional, num_heads: the network's size (see
            each model's docstring for the ones it reads).
        kernel_size: DLinear's moving-average window.
        season_length: seasonal_naive's period; None infers it from the data's frequency.
        revin: wrap the model in reversible instance normalisation.
        channel_independent: run a model on every channel separately with shared weights.
        patch_len: SegRNN's segment length or PatchTST's patch length (None: the paper's).
        loss: training loss, "mse" or "mae" (SegRNN's authors train with MAE).
        epochs, batch_size, lr, weight_decay, grad_clip, patience: training (see TrainConfig).
        scaler: "standard", "minmax" or "none", fitted on the training rows only.
        val_size, test_size: fractions of the rows for validation and test, in time order.
        split_dates: (validation start, test start) dates instead of the fractions.
        missing: NaN/inf policy: "error", "ffill" or "interpolate".
        device: "auto" (CUDA when present), "cpu", "cuda", ...
        seed: one seed for weights, dropout and batch order; the same seed gives identical
            predictions on the CPU.
        verbose: show a progress bar while training.

    Example:
        >>> import seqlab as sl
        >>> df = sl.datasets.load("msft")
        >>> fc = sl.Forecaster(model="lstm", target="Close", lookback=60, horizon=5)
        >>> fc.fit(df).predict(df)                                      # doctest: +SKIP
    """

    def __init__(
        self,
        model: str = "lstm",
        target: str | list[str] | None = None,
        features: list[str] | None = None,
        lookback: int = 60,
        horizon: int = 1,
        strategy: str = "direct",
        hidden_size: int = 64,
        num_layers: int = 2,
        dropout: float = 0.0,
        bidirectional: bool = False,
        num_heads: int = 4,
        kernel_size: int = 25,
        season_length: int | None = None,
        revin: bool = False,
        channel_independent: bool = False,
        patch_len: int | None = None,
        loss: str = "mse",
        epochs: int = 30,
        batch_size: int = 32,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        grad_clip: float | None = 1.0,
        patience: int | None = 5,
        scaler: str = "standard",
        val_size: float = 0.1,
        test_size: float = 0.2,
        split_dates: tuple[str, str] | None = None,
        missing: str = "error",
        device: str = "auto",
        seed: int = 0,
        verbose: bool = False,
    ) -> None:
        # As in scikit-learn: store the arguments unchanged; check them in fit.
        self.model = model
        self.target = target
        self.features = features
        self.lookback = lookback
        self.horizon = horizon
        self.strategy = strategy
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.bidirectional = bidirectional
        self.num_heads = num_heads
        self.kernel_size = kernel_size
        self.season_length = season_length
        self.revin = revin
        self.channel_independent = channel_independent
        self.patch_len = patch_len
        self.loss = loss
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.grad_clip = grad_clip
        self.patience = patience
        self.scaler = scaler
        self.val_size = val_size
        self.test_size = test_size
        self.split_dates = split_dates
        self.missing = missing
        self.device = device
        self.seed = seed
        self.verbose = verbose

    # -- parameters ---------------------------------------------------------------------------

    def _check_params(self) -> None:
        model_class(self.model)
        check("Forecaster", _RULES, self.get_params())
        if self.val_size + self.test_size >= 1:
            raise ConfigError(
                f"val_size + test_size of Forecaster must be below 1; got "
                f"{self.val_size + self.test_size}. Leave rows for training."
            )
        self._training_config()  # validates epochs, batch_size, lr, ...

    def _training_config(self) -> TrainConfig:
        return TrainConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            grad_clip=self.grad_clip,
            patience=self.patience,
            seed=self.seed,
            verbose=self.verbose,
        )

    def _columns(self, df: pd.DataFrame) -> tuple[list[str], list[str]]:
        """(input columns with the targets first, target columns)."""
        if self.target is None:
            if df.shape[1] != 1:
                raise ConfigError(
                    f"target of Forecaster must be given when the data has several columns; "
                    f"got None for columns {', '.join(map(str, df.columns))}. Pass target='...'."
                )
            targets = [str(df.columns[0])]
        else:
            targets = [self.target] if isinstance(self.target, str) else list(self.target)
        extra = [f for f in (self.features or []) if f not in targets]
        if self.strategy == "recursive" and extra:
            raise ConfigError(
                f"features of Forecaster must all be targets with strategy='recursive', since "
                f"a one-step model must forecast every input it is fed back; got {extra} beyond "
                f"{targets}. Add them to target, or use strategy='direct'."
            )
        return targets + extra, targets

    # -- fit ----------------------------------------------------------------------------------

    def fit(self, df: pd.DataFrame) -> Forecaster:
        """Split ``df`` in time order, fit the scaler on the training rows, train; return self."""
        self._fit_data(*self._check_data(df))
        return self

    def _check_data(self, df: pd.DataFrame) -> tuple[pd.DataFrame, list[str], Split]:
        """Check the parameters and ``df``; return the clean columns, targets and split."""
        self._check_params()
        columns, targets = self._columns(df)
        data = check_series(df, columns, self.missing)
        split = chronological_split(data.index, self.val_size, self.test_size, self.split_dates)
        self._check_rows(split)
        return data, targets, split

    def _fit_data(self, data: pd.DataFrame, targets: list[str], split: Split) -> None:
        """Fit on checked data (see _check_data; backtest folds derive from a checked split)."""
        columns = list(data.columns)
        train_values = data.to_numpy()[: split.train_end]
        for i, name in enumerate(targets):
            if np.ptp(train_values[:, i]) == 0:
                raise DataError(
                    f"target {name!r} of the data must vary over the training rows; got the "
                    f"constant {float(train_values[0, i])!r}. "
                    "A constant series has nothing to learn."
                )
        start = time.perf_counter()
        self.columns_, self.targets_ = columns, targets
        self.freq_ = infer_frequency(data.index)
        self.split_ = split
        self.scaler_ = Scaler(self.scaler).fit(train_values)
        self.mase_scale_ = naive_scale(train_values[:, : len(targets)])
        self.device_ = resolve_device(self.device)
        recursive = self.strategy == "recursive"
        self.shape_ = Shape(
            lookback=self.lookback,
            horizon=1 if recursive else self.horizon,
            input_size=len(columns),
            output_size=len(targets),
            target_index=tuple(range(len(targets))),
            season_length=self.season_length or _SEASONS.get(self.freq_, 1),
        )
        self.model_ = self._build().to(self.device_)
        self.history_ = pd.DataFrame(columns=["epoch", "train_loss", "val_loss", "lr", "seconds"])
        self.best_epoch_ = 0
        if any(p.requires_grad for p in self.model_.parameters()):  # baselines have none
            windows = Windows(
                self._scaled(data), list(range(len(targets))), self.lookback, self.shape_.horizon
            )
            train = WindowSet(windows, split.starts("train", self.lookback, self.shape_.horizon))
            val = WindowSet(windows, split.starts("val", self.lookback, self.shape_.horizon))
            trainer = Trainer(self._training_config(), loss=_LOSSES[self.loss])
            result = trainer.fit(self.model_, train, val, self.model)
            self.history_ = pd.DataFrame(result.history)
            self.best_epoch_ = result.best_epoch
        self.model_.eval()
        self.fit_seconds_ = time.perf_counter() - start
        self.n_params_ = sum(p.numel() for p in self.model_.parameters() if p.requires_grad)

    def _build(self) -> nn.Module:
        torch.manual_seed(self.seed)
        model = build(self.model, self.shape_, self.get_params())
        trainable = getattr(model, "trainable", True)
        return _WithRevIN(model, self.shape_) if self.revin and trainable else model

    def _check_rows(self, split: Split) -> None:
        h = 1 if self.strategy == "recursive" else self.horizon
        counts = {
            "training": len(split.starts("train", self.lookback, h)),
            "validation": len(split.starts("val", self.lookback, h)),
            "test": len(split.starts("test", self.lookback, self.horizon)),
        }
        if min(counts.values()) > 0:
            return
        left = ", ".join(f"{n} {part}" for part, n in counts.items())
        raise DataError(
            f"data of Forecaster must have enough rows for lookback={self.lookback} and "
            f"horizon={self.horizon} in each of the train/validation/test parts; got "
            f"{split.rows} rows, which leave {left} windows. Use a shorter lookback or horizon, "
            "or more data."
        )

    def _scaled(self, data: pd.DataFrame) -> Tensor:
        values = self.scaler_.transform(data.to_numpy())
        return torch.tensor(values, dtype=torch.float32, device=self.device_)

    # -- forecasts ----------------------------------------------------------------------------

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"{method} of Forecaster must come after fit; got an unfitted Forecaster. "
                "Call fit(df) first, or Forecaster.load(path)."
            )

    @torch.no_grad()
    def _forecast(self, x: Tensor, chunk: int = 4096) -> Tensor:
        """Scaled forecasts (N, H, C_out) for scaled windows x (N, L, C), in chunks."""
        self.model_.eval()
        out = []
        for b in range(0, len(x), chunk):
            xb = x[b : b + chunk]
            if self.strategy == "direct":
                out.append(self.model_(xb))
                continue
            steps = []
            for _ in range(self.horizon):  # feed each one-step forecast back as the newest row
                y1 = self.model_(xb)[:, :1]  # (N, 1, C)
                steps.append(y1)
                xb = torch.cat([xb[:, 1:], y1], dim=1)
            out.append(torch.cat(steps, dim=1))
        return torch.cat(out)

    def _unscale(self, y: Tensor) -> np.ndarray:
        """(N, H, C_out) scaled → original units."""
        return self.scaler_.inverse_transform(y.cpu().double().numpy(), list(range(y.shape[-1])))

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        """The next ``horizon`` values after the end of ``df``, indexed by their dates."""
        self._check_fitted("predict")
        data = check_series(df, self.columns_, self.missing)
        if len(data) < self.lookback:
            raise DataError(
                f"data of Forecaster.predict must have at least lookback={self.lookback} rows; "
                f"got {len(data)}. Pass the most recent {self.lookback} rows or more."
            )
        x = self._scaled(data.iloc[-self.lookback :]).unsqueeze(0)  # (1, L, C)
        y = self._unscale(self._forecast(x))[0]  # (H, C_out)
        index = future_index(data.index[-1], self.freq_, self.horizon)
        return pd.DataFrame(y, index=index, columns=self.targets_)

    def evaluate(self, df: pd.DataFrame) -> Evaluation:
        """Metrics on the test part of ``df`` (split as in fit), in the data's own units."""
        self._check_fitted("evaluate")
        data = check_series(df, self.columns_, self.missing)
        split = chronological_split(data.index, self.val_size, self.test_size, self.split_dates)
        self._check_rows(split)
        return self._evaluate_data(data, split)

    def _evaluate_data(self, data: pd.DataFrame, split: Split) -> Evaluation:
        c_out = len(self.targets_)
        windows = Windows(self._scaled(data), list(range(c_out)), self.lookback, self.horizon)
        starts = split.starts("test", self.lookback, self.horizon)
        x, y = windows.batch(starts.to(self.device_))
        y_true, y_pred = self._unscale(y), self._unscale(self._forecast(x))
        last = self._unscale(x[:, -1:, :c_out])[:, 0]  # (N, C_out): the last observed value
        y_naive = np.repeat(last[:, None, :], self.horizon, axis=1)
        metrics, per_step = forecast_metrics(y_true, y_pred, last, self.mase_scale_)
        naive, naive_per_step = forecast_metrics(y_true, y_naive, last, self.mase_scale_)
        skill = 1 - metrics["rmse"] / naive["rmse"] if naive["rmse"] > 0 else float("nan")
        dates = data.index[(starts + self.lookback).numpy()]
        return Evaluation(
            metrics,
            per_step,
            naive,
            naive_per_step,
            skill,
            y_true,
            y_pred,
            y_naive,
            dates,
            self.targets_,
        )

    def backtest(self, df: pd.DataFrame, folds: int = 5) -> Backtest:
        """Rolling-origin evaluation: the test part is cut into ``folds`` consecutive blocks;
        for each, a fresh model is fitted on everything before it (its validation rows just
        before the block) and scored on the block. Leaves this Forecaster unchanged."""
        check("Forecaster.backtest", {"folds": positive_int()}, {"folds": folds})
        data, targets, split = self._check_data(df)
        val_rows = split.val_end - split.train_end
        block = (split.rows - split.val_end) // folds
        if block < self.horizon:
            raise DataError(
                f"folds of Forecaster.backtest must leave at least horizon={self.horizon} test "
                f"rows per fold; got {folds} folds over {split.rows - split.val_end} test rows. "
                "Use fewer folds or a larger test_size."
            )
        rows, steps = [], []
        for k in range(folds):
            test_start = split.val_end + k * block
            test_end = split.rows if k == folds - 1 else test_start + block
            fold_split = Split(test_start - val_rows, test_start, test_end)
            fold = Forecaster(**self.get_params())
            fold._fit_data(data.iloc[:test_end], targets, fold_split)
            ev = fold._evaluate_data(data.iloc[:test_end], fold_split)
            rows.append(
                {
                    "fold": k + 1,
                    "test_start": data.index[test_start],
                    "test_end": data.index[test_end - 1],
                    "windows": len(ev.y_true),
                    **ev.summary(),
                }
            )
            steps.append(ev.per_step.assign(fold=k + 1).reset_index())
        per_step = pd.concat(steps, ignore_index=True).set_index(["fold", "step"])
        return Backtest(pd.DataFrame(rows).set_index("fold"), per_step)

    # -- save / load --------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the fitted forecaster to a folder: config.json, state.json, model.safetensors
        and history.csv, each written atomically. Returns the folder."""
        self._check_fitted("save")
        path = Path(path)
        params = self.get_params()
        write_json(path / "config.json", {"seqlab_version": __version__, **params})
        state = {
            "columns": self.columns_,
            "targets": self.targets_,
            "freq": self.freq_,
            "scaler": self.scaler_.to_dict(),
            "mase_scale": self.mase_scale_.tolist(),
            "shape": asdict(self.shape_),
            "split": asdict(self.split_),
            "best_epoch": self.best_epoch_,
            "fit_seconds": self.fit_seconds_,
            "n_params": self.n_params_,
        }
        write_json(path / "state.json", state)
        write_tensors(path / "model.safetensors", self.model_.state_dict())
        atomic_write(path / "history.csv", self.history_.to_csv(index=False).encode())
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Forecaster:
        """Rebuild a forecaster saved by :meth:`save`; its predictions are identical."""
        path = Path(path)
        if not path.is_dir():
            raise CheckpointError(
                f"path of Forecaster.load must be a folder written by save(); got {str(path)!r}, "
                "which does not exist. Check the run folder."
            )
        config = read_json(path / "config.json")
        state = read_json(path / "state.json")
        config.pop("seqlab_version", None)
        unknown = set(config) - set(cls._param_names())
        if unknown:
            raise CheckpointError(
                f"config.json of the saved model at {str(path)!r} must hold Forecaster "
                f"parameters; got unknown {sorted(unknown)}. Save it again with this version."
            )
        if config.get("split_dates") is not None:
            config["split_dates"] = tuple(config["split_dates"])
        fc = cls(**{**config, "device": device})
        try:
            fc.columns_, fc.targets_, fc.freq_ = state["columns"], state["targets"], state["freq"]
            fc.scaler_ = Scaler.from_dict(state["scaler"])
            fc.mase_scale_ = np.asarray(state["mase_scale"])
            shape = state["shape"]
            fc.shape_ = Shape(**{**shape, "target_index": tuple(shape["target_index"])})
            fc.split_ = Split(**state["split"])
            fc.best_epoch_, fc.fit_seconds_ = state["best_epoch"], state["fit_seconds"]
            fc.n_params_ = state["n_params"]
        except (KeyError, TypeError) as err:
            raise CheckpointError(
                f"state.json of the saved model at {str(path)!r} must hold the fitted state; "
                f"got it without {err}. Save the model again."
            ) from None
        fc.device_ = resolve_device(device)
        model = fc._build()
        try:
            model.load_state_dict(read_tensors(path / "model.safetensors"))
        except RuntimeError as err:
            raise CheckpointError(
                f"model.safetensors of the saved model at {str(path)!r} must match its "
                f"config.json; got other tensors ({str(err).splitlines()[0]}). Save it again."
            ) from None
        fc.model_ = model.to(fc.device_).eval()
        history = path / "history.csv"
        fc.history_ = pd.read_csv(history) if history.is_file() else pd.DataFrame()
        return fc
