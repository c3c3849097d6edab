"""Forecasting: from a time-indexed DataFrame to dated forecasts, honest by default.

The pipeline, in order: check the columns (numeric, finite, a varying target); split the rows
in time order into train / validation / test; fit the scaler on the training rows only; cut
windows as views; train on the training windows with early stopping on the validation windows
(the test windows take no part in fitting or model selection); forecast; score the test windows
in the data's own units beside the naive forecast.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from seqlab.data.scaler import Scaler
from seqlab.data.table import check_series, future_index, infer_frequency
from seqlab.data.windows import Split, Windows, WindowSet, chronological_split
from seqlab.errors import (
    CheckpointError,
    DataError,
    check,
    positive_int,
)
from seqlab.estimator import Estimator
from seqlab.io import read_tensors
from seqlab.metrics import naive_scale
from seqlab.models import REGISTRY, Shape, build, model_parameters
from seqlab.tasks.evaluation import Backtest, Evaluation, score
from seqlab.tasks.forecast_checks import LOSSES, SEASONS, check_params, resolve_columns
from seqlab.tasks.forecast_state import STATE, read_state, write_state
from seqlab.train import TrainConfig, Trainer, resolve_device

if TYPE_CHECKING:
    from typing import Self

__all__ = ["Backtest", "Evaluation", "Forecaster"]


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
        hidden_size, num_layers, dropout: the network's size, for the models that have them.
        model_params: the model's own settings, by name, with the model's defaults for the
            rest (see ``seqlab.models.model_parameters(name)``): e.g. {"kernel_size": 5} for
            tcn or dlinear, {"patch_len": 24} for segrnn or patchtst, {"num_heads": 8} for
            transformer or patchtst, {"bidirectional": True} for rnn, lstm or gru.
        season_length: seasonal_naive's period; None infers it from the data's frequency.
        revin: wrap the model in reversible instance normalisation (models that normalise
            their input themselves, such as patchtst, get no second one).
        channel_independent: run a model on every channel separately with shared weights.
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
        model_params: dict[str, Any] | None = None,
        season_length: int | None = None,
        revin: bool = False,
        channel_independent: bool = False,
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
        self.model_params = model_params
        self.season_length = season_length
        self.revin = revin
        self.channel_independent = channel_independent
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
        check_params(self.get_params())
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

    # -- fit ----------------------------------------------------------------------------------

    def fit(self, df: pd.DataFrame) -> Self:
        """Split ``df`` in time order, fit the scaler on the training rows, train; return self."""
        self._fit_data(*self._check_data(df))
        return self

    def _check_data(self, df: pd.DataFrame) -> tuple[pd.DataFrame, list[str], Split]:
        """Check the parameters and ``df``; return the clean columns, targets and split."""
        self._check_params()
        columns, targets = resolve_columns(df, self.target, self.features, self.strategy)
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
            season_length=self.season_length or SEASONS.get(self.freq_, 1),
        )
        self.model_ = self._build().to(self.device_)
        self.history_ = pd.DataFrame(columns=["epoch", "train_loss", "val_loss", "lr", "seconds"])
        self.best_epoch_ = 0
        if self._trainable():
            windows = Windows(
                self._scaled(data), list(range(len(targets))), self.lookback, self.shape_.horizon
            )
            train = WindowSet(windows, split.starts("train", self.lookback, self.shape_.horizon))
            val = WindowSet(windows, split.starts("val", self.lookback, self.shape_.horizon))
            trainer = Trainer(self._training_config(), loss=LOSSES[self.loss])
            result = trainer.fit(self.model_, train, val, self.model)
            self.history_ = pd.DataFrame(result.history)
            self.best_epoch_ = result.best_epoch
        self.model_.eval()
        self.fit_seconds_ = time.perf_counter() - start
        self.n_params_ = sum(p.numel() for p in self.model_.parameters() if p.requires_grad)

    def _build(self) -> nn.Module:
        torch.manual_seed(self.seed)
        common = {"hidden_size": self.hidden_size, "num_layers": self.num_layers,
                  "dropout": self.dropout}  # fmt: skip
        return build(
            self.model, self.shape_, common, self.model_params, self.revin,
            self.channel_independent,
        )  # fmt: skip

    def _trainable(self) -> bool:
        """Has the model weights to train? The baselines have none."""
        return any(p.requires_grad for p in self.model_.parameters())

    def _check_rows(self, split: Split) -> None:
        h = 1 if self.strategy == "recursive" else self.horizon
        split.require_windows(self.lookback, h, self.horizon)

    def _scaled(self, data: pd.DataFrame) -> Tensor:
        """The model's input: scaled float32 for a network; for a baseline, the data's own
        numbers in float64, so that naive repeats the last value exactly."""
        if not self._trainable():
            return torch.tensor(data.to_numpy(), dtype=torch.float64, device=self.device_)
        values = self.scaler_.transform(data.to_numpy())
        return torch.tensor(values, dtype=torch.float32, device=self.device_)

    def _unscale(self, y: Tensor) -> np.ndarray:
        """(N, H, C_out) model outputs → the data's units."""
        values = y.cpu().double().numpy()
        if not self._trainable():
            return values
        return self.scaler_.inverse_transform(values, list(range(y.shape[-1])))

    # -- forecasts ----------------------------------------------------------------------------

    @torch.no_grad()
    def _forecast(self, x: Tensor, chunk: int = 4096) -> Tensor:
        """Forecasts (N, H, C_out) for model inputs x (N, L, C), in chunks."""
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
        """Metrics on the test part of ``df`` (split as in fit), in the data's own units;
        rates (MAPE, sMAPE, direction) in %."""
        self._check_fitted("evaluate")
        data = check_series(df, self.columns_, self.missing)
        split = chronological_split(data.index, self.val_size, self.test_size, self.split_dates)
        self._check_rows(split)
        return self._evaluate_data(data, split)

    def _evaluate_data(self, data: pd.DataFrame, split: Split) -> Evaluation:
        c_out, lookback = len(self.targets_), self.lookback
        windows = Windows(self._scaled(data), list(range(c_out)), lookback, self.horizon)
        starts = split.starts("test", lookback, self.horizon)
        x, _ = windows.batch(starts.to(self.device_))
        y_pred = self._unscale(self._forecast(x))
        # The truth and the last observed values straight from the data, not through a scaler.
        values = data.to_numpy()[:, :c_out]
        rows = starts.numpy()[:, None] + lookback + np.arange(self.horizon)  # (N, H)
        y_true, last = values[rows], values[starts.numpy() + lookback - 1]
        dates = data.index[starts.numpy() + lookback]
        return score(y_true, y_pred, last, self.mase_scale_, dates, self.targets_)

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
        evaluations, spans = [], []
        for k in range(folds):
            test_start = split.val_end + k * block
            test_end = split.rows if k == folds - 1 else test_start + block
            fold_split = Split(test_start - val_rows, test_start, test_end)
            fold = Forecaster(**self.get_params())
            fold._fit_data(data.iloc[:test_end], targets, fold_split)
            evaluations.append(fold._evaluate_data(data.iloc[:test_end], fold_split))
            spans.append((data.index[test_start], data.index[test_end - 1]))
        return Backtest.of(evaluations, spans)

    # -- save / load --------------------------------------------------------------------------

    # Model settings that were Forecaster parameters before model_params, with their defaults.
    _MOVED: ClassVar[dict[str, Any]] = {
        "bidirectional": False,
        "num_heads": 4,
        "kernel_size": 25,
        "patch_len": None,
    }

    @classmethod
    def _upgrade(cls, config: dict[str, Any]) -> dict[str, Any]:
        """Older saves hold model settings as Forecaster parameters: a value other than the
        old default moves into ``model_params`` when the model takes it (else it was unused)."""
        config = dict(config)
        moved = {k: config.pop(k) for k in cls._MOVED if k in config}
        if moved and config.get("model") in REGISTRY:
            own = model_parameters(config["model"])
            changed = {k: v for k, v in moved.items() if k in own and v != cls._MOVED[k]}
            if changed:
                config["model_params"] = {**changed, **(config.get("model_params") or {})}
        return config

    def save(self, path: str | Path) -> Path:
        """Write the fitted forecaster to a folder: config.json, state.json, model.safetensors
        and history.csv, each written atomically. Returns the folder."""
        self._check_fitted("save")
        path = Path(path)
        self._save_params(path)
        write_state(path, {k: getattr(self, k) for k in STATE}, self.model_, self.history_)
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Self:
        """Rebuild a forecaster saved by :meth:`save`; its predictions are identical."""
        path = Path(path)
        fc = cls._load_params(path, device=device)
        if fc.split_dates is not None:  # JSON has lists, not tuples
            fc.split_dates = (str(fc.split_dates[0]), str(fc.split_dates[1]))
        for name, value in read_state(path).items():
            setattr(fc, name, value)
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
        return fc
