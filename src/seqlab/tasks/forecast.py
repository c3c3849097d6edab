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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from seqlab.data.scaler import Scaler
from seqlab.data.table import check_series, future_index, infer_frequency
from seqlab.data.windows import Split, Windows, WindowSet, chronological_split
from seqlab.errors import ConfigError, DataError, check, positive_int
from seqlab.estimator import Estimator
from seqlab.metrics import naive_scale
from seqlab.models import Shape, build
from seqlab.tasks import forecast_checks as checks
from seqlab.tasks.evaluation import Backtest, Evaluation, rolling_backtest, score
from seqlab.tasks.forecast_checks import LOSSES, SEASONS, check_params, resolve_columns
from seqlab.tasks.forecast_panel import PanelForecasting
from seqlab.tasks.forecast_state import (
    STATE,
    read_model,
    read_panel_state,
    read_state,
    upgrade_config,
    write_panel_state,
    write_state,
)
from seqlab.tasks.intervals import PanelEvaluation, with_bands
from seqlab.train import TrainConfig, Trainer, resolve_device

if TYPE_CHECKING:
    from typing import Self

Where = str | Path | None  # a checkpoint file, or none

__all__ = ["Backtest", "Evaluation", "Forecaster", "PanelEvaluation"]


class Forecaster(PanelForecasting, Estimator):
    """Train a sequence model on a time series, or one global model on many, and forecast
    the next ``horizon`` steps with prediction intervals.

    Data is one series (a DatetimeIndex; split by fractions or dates) or many in long format
    (id, time and target columns, ``unique_id``, ``ds``, ``y`` by default; split M4's way).

    Args:
        model: a registered model: rnn, lstm, gru, transformer, tcn, dlinear, segrnn,
            patchtst, nbeats, or a baseline naive, seasonal_naive, drift, mean, naive2.
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
        loss: training loss, "mse", "mae" (SegRNN's authors train with MAE) or "pinball" (a
            quantile head for the intervals of ``levels``, long data only).
        epochs, batch_size, lr, weight_decay, grad_clip, patience: training (see TrainConfig).
        scaler: "standard", "minmax" or "none", fitted on the training rows only.
        val_size, test_size: fractions of the rows for validation and test, in time order.
        split_dates: (validation start, test start) dates instead of the fractions.
        missing: NaN/inf policy: "error", "ffill" or "interpolate".
        device: "auto" (CUDA when present), "cpu", "cuda", ...
        seed: one seed for weights, dropout and batch order; the same seed gives identical
            predictions on the CPU.
        verbose: show a progress bar while training.
        id_col, time_col: the columns of long data naming each series and its times; long
            data is recognised by ``id_col``, or by a ``unique_id`` column when it is None.
        series_embedding: on long data, the size of a learned vector per series fed with
            every window (0: none).
        calendar: on long data with dates, feed hour of day, day of week and month (sine
            and cosine) as inputs.
        levels: the interval levels (%) a quantile head learns, and evaluate's default.

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
        id_col: str | None = None,
        time_col: str = "ds",
        series_embedding: int = 0,
        calendar: bool = False,
        levels: tuple[int, ...] | list[int] = (80, 95),
        precision: str = "fp32",
    ) -> None:
        # As in scikit-learn: store the arguments unchanged; check them in fit.
        self.model, self.target, self.features, self.lookback = model, target, features, lookback
        self.horizon, self.strategy, self.hidden_size = horizon, strategy, hidden_size
        self.num_layers, self.dropout, self.model_params = num_layers, dropout, model_params
        self.season_length, self.revin = season_length, revin
        self.channel_independent, self.loss, self.scaler = channel_independent, loss, scaler
        self.precision, self.epochs, self.batch_size, self.lr = precision, epochs, batch_size, lr
        self.weight_decay, self.grad_clip, self.patience = weight_decay, grad_clip, patience
        self.val_size, self.test_size, self.split_dates = val_size, test_size, split_dates
        self.missing, self.device, self.seed, self.verbose = missing, device, seed, verbose
        self.id_col, self.time_col, self.series_embedding = id_col, time_col, series_embedding
        self.calendar, self.levels = calendar, levels

    # -- parameters ---------------------------------------------------------------------------

    def _check_params(self) -> None:
        check_params(self.get_params())
        self._training_config()  # validates epochs, batch_size, lr, ...

    def _training_config(self) -> TrainConfig:
        names = (
            "epochs", "batch_size", "lr", "weight_decay", "grad_clip", "patience", "seed",
            "precision",
        )  # fmt: skip
        return TrainConfig(**{k: getattr(self, k) for k in names}, verbose=self.verbose)

    # -- fit ----------------------------------------------------------------------------------

    def fit(self, df: pd.DataFrame, checkpoint: Where = None, resume: Where = None) -> Self:
        """Split ``df`` in time order, fit the scaler on the training rows, train; return self.
        ``checkpoint``: a file the trainer writes its state to after every epoch; ``resume``:
        such a file to go on from (see :meth:`seqlab.train.Trainer.fit`)."""
        if self._is_long(df):
            self._fit_panel(df, checkpoint, resume)
        else:
            self._fit_data(*self._check_data(df), checkpoint=checkpoint, resume=resume)
        return self

    def _check_data(self, df: pd.DataFrame) -> tuple[pd.DataFrame, list[str], Split]:
        """Check the parameters and ``df``; return the clean columns, targets and split."""
        self._check_params()
        if self.loss == "pinball":
            raise ConfigError(
                "loss='pinball' of Forecaster needs long data (id_col); got one series. Use "
                "the conformal intervals of predict(df, levels=[80, 95]) instead."
            )
        columns, targets = resolve_columns(df, self.target, self.features, self.strategy)
        data = check_series(df, columns, self.missing)
        split = chronological_split(data.index, self.val_size, self.test_size, self.split_dates)
        self._check_rows(split)
        return data, targets, split

    def _fit_data(
        self, data: pd.DataFrame, targets: list[str], split: Split, checkpoint: Where = None,
        resume: Where = None, report: Any = None,
    ) -> None:  # fmt: skip
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
        self.ids_, self.residuals_ = None, None
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
            result = trainer.fit(
                self.model_, train, val, self.model, None, None, checkpoint, resume, report
            )
            self.history_ = pd.DataFrame(result.history)
            self.best_epoch_ = result.best_epoch
        self.model_.eval()
        # Split-conformal calibration: the absolute errors of every validation window.
        if self.strategy == "direct":
            val_eval = self._evaluate_data(data, Split(0, split.train_end, split.val_end))
            self.residuals_ = np.sort(np.abs(val_eval.y_true - val_eval.y_pred), axis=0)
        self.fit_seconds_ = time.perf_counter() - start
        self.n_params_ = sum(p.numel() for p in self.model_.parameters() if p.requires_grad)

    def _build(self, n_series: int = 0) -> nn.Module:
        """The model for ``shape_``; on long data with ``n_series`` series (their embedding
        and the quantile head, when asked for)."""
        torch.manual_seed(self.seed)
        common = {"hidden_size": self.hidden_size, "num_layers": self.num_layers,
                  "dropout": self.dropout}  # fmt: skip
        series = (n_series, self.series_embedding if n_series else 0)
        quantiles = getattr(self, "quantiles_", ()) if n_series else ()
        return build(
            self.model, self.shape_, common, self.model_params, self.revin,
            self.channel_independent, series, quantiles,
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
            values, dtype = data.to_numpy(), torch.float64
        else:
            values, dtype = self.scaler_.transform(data.to_numpy()), torch.float32
        host = torch.tensor(values, dtype=dtype)
        # Moved once, without blocking: the batches are then index gathers on the device.
        if self.device_.type == "cuda":
            host = host.pin_memory()
        return host.to(self.device_, non_blocking=True)

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
        return checks.check_finite(torch.cat(out), self.model)

    def predict(self, df: pd.DataFrame, levels: list[int] | None = None) -> pd.DataFrame:
        """The next ``horizon`` values after the end of ``df``, indexed by their dates; on
        long data, a long frame (id, time, one column named after the model) for every
        series. ``levels`` (%) add ``<name>-lo-<level>`` / ``<name>-hi-<level>`` bounds:
        split-conformal from the validation windows, or a quantile head's."""
        self._check_fitted("predict")
        if getattr(self, "ids_", None) is not None:
            return self._predict_panel(df, levels)
        data = check_series(df, self.columns_, self.missing)
        if len(data) < self.lookback:
            raise DataError(
                f"data of Forecaster.predict must have at least lookback={self.lookback} rows; "
                f"got {len(data)}. Pass the most recent {self.lookback} rows or more."
            )
        x = self._scaled(data.iloc[-self.lookback :]).unsqueeze(0)  # (1, L, C)
        y = self._unscale(self._forecast(x))[0]  # (H, C_out)
        index = future_index(data.index[-1], self.freq_, self.horizon)
        out = pd.DataFrame(y, index=index, columns=self.targets_)
        return with_bands(out, getattr(self, "residuals_", None), levels or [], self.strategy)

    def evaluate(
        self, df: pd.DataFrame, levels: list[int] | None = None
    ) -> Evaluation | PanelEvaluation:
        """Metrics on the test part of ``df`` (split as in fit), in the data's own units;
        rates (MAPE, sMAPE, direction) in %. On long data, M4's scores per series and over
        all (a :class:`PanelEvaluation`), with the intervals of ``levels`` (default: the
        Forecaster's) scored too."""
        self._check_fitted("evaluate")
        if getattr(self, "ids_", None) is not None:
            return self._evaluate_panel(df, self.levels if levels is None else levels)
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
        if self._is_long(df):
            raise ConfigError(
                "data of Forecaster.backtest must be one series; got long data. Backtest one "
                "series at a time, or use evaluate on the M4 split."
            )
        return rolling_backtest(self, *self._check_data(df), folds)

    # -- save / load --------------------------------------------------------------------------

    @classmethod
    def _upgrade(cls, config: dict[str, Any]) -> dict[str, Any]:
        return upgrade_config(config)

    def save(self, path: str | Path) -> Path:
        """Write the fitted forecaster to a folder: config.json, state.json, model.safetensors
        and history.csv, each written atomically. Returns the folder."""
        self._check_fitted("save")
        path = Path(path)
        self._save_params(path)
        write_state(path, {k: getattr(self, k) for k in STATE}, self.model_, self.history_)
        write_panel_state(path, self)
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Self:
        """Rebuild a forecaster saved by :meth:`save`; its predictions are identical."""
        path = Path(path)
        fc = cls._load_params(path, device=device)
        if fc.split_dates is not None:  # JSON has lists, not tuples
            fc.split_dates = (str(fc.split_dates[0]), str(fc.split_dates[1]))
        fc.levels = tuple(fc.levels)
        for name, value in {**read_state(path), **read_panel_state(path)}.items():
            setattr(fc, name, value)
        fc.device_ = resolve_device(device)
        ids = getattr(fc, "ids_", None)
        fc.model_ = read_model(path, fc._build(0 if ids is None else len(ids)))
        fc.model_ = fc.model_.to(fc.device_).eval()
        return fc
