"""Forecasting: from a time-indexed DataFrame to dated forecasts, honest by default.

The pipeline, in order: check the columns (numeric, finite, a varying target); split the rows
in time order into train / validation / test; fit the scaler on the training rows only; cut
windows as views; train on the training windows with early stopping on the validation windows
(the test windows take no part in fitting or model selection); forecast; score the test windows
in the data's own units beside the naive forecast.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from seqlab.data.panel import ID, TARGET, Panel, PanelSplit, PanelWindowSet
from seqlab.data.scaler import Scaler
from seqlab.data.table import check_series, future_index, infer_frequency
from seqlab.data.windows import Split, Windows, WindowSet, chronological_split
from seqlab.errors import ConfigError, DataError, check, positive_int
from seqlab.estimator import Estimator
from seqlab.metrics import naive_scale
from seqlab.models import BASELINES, Shape, build
from seqlab.models.statistical import Statistical
from seqlab.models.wrappers import pinball_loss
from seqlab.tasks.forecasting.checks import (
    LOSSES,
    SEASONS,
    check_finite,
    check_params,
    resolve_columns,
)
from seqlab.tasks.forecasting.evaluation import Backtest, Evaluation, rolling_backtest, score
from seqlab.tasks.forecasting.future import (
    future_rows,
    generated_names,
    user_future,
    with_generated,
)
from seqlab.tasks.forecasting.intervals import (
    PanelEvaluation,
    level_quantiles,
    panel_scores,
    with_bands,
)
from seqlab.tasks.forecasting.panel import (
    ManySeries,
    history_forecasts,
    naive2_forecasts,
    panel_future_rows,
    rows_from,
    series_scales,
    static_values,
)
from seqlab.tasks.forecasting.state import (
    STATE,
    read_model,
    read_panel_state,
    read_state,
    upgrade_config,
    write_panel_state,
    write_state,
)
from seqlab.train import Hooks, TrainConfig, Trainer, resolve_device
from seqlab.train.precision import arithmetic

if TYPE_CHECKING:
    from typing import Self

Where = str | Path | None  # a checkpoint file, or none

__all__ = ["Backtest", "Evaluation", "Forecaster", "PanelEvaluation"]


class Forecaster(Estimator):
    """Train a sequence model on a time series, or one global model on many, and forecast
    the next ``horizon`` steps with prediction intervals.

    Data is one series (a DatetimeIndex; split by fractions or dates) or many in long format
    (id, time and target columns, ``unique_id``, ``ds``, ``y`` by default; split M4's way).

    Args:
        model: a registered model: rnn, lstm, gru, transformer, tcn, dlinear, segrnn,
            patchtst, nbeats, a baseline naive, seasonal_naive, drift, mean, naive2, or a
            statistical model ets, arima, theta, mstl (statsforecast's; the ``stats`` extra).
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
        scaler: "standard", "minmax", "none" or "asinh" (asinh of the median/MAD-scaled
            values, for spiky prices; one series), fitted on the training rows only.
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
        future_features: columns whose values are known for the forecast steps too (a
            load or weather forecast, a promotion plan): inputs of the window and, for the H
            steps forecast, of the model's future path (each model's docstring says how);
            ``predict`` then takes their next H rows, ``predict(df, future=future_df)``.
        calendar: feed hour of day, day of week and month (sine and cosine) as inputs; on one
            series they are future covariates, generated for the forecast steps too.
        holidays: a country code of the ``holidays`` package ("US", "DE", "NO", ...): a 0/1
            public-holiday column, a future covariate generated for any date (one series).
        static_features: on long data, columns holding one number per series (a store's
            size, a sensor's height): fed with every row of its series, scaled over the
            series of fit.
        step: train and validate on every ``step``-th window only, their forecasts starting
            where the data's last row ends a step (one series): 24 on hourly data trains a
            day-ahead model on the origins it will be asked from (midnight, when the data
            ends at 23:00), as day-ahead price models are.
        levels: the interval levels (%) a quantile head learns, and evaluate's default.
        precision: the training arithmetic: "fp32", "bf16" (autocast, float32 weights) or
            "auto" (bf16 where the device has it natively, see seqlab.train.precision).

    Example:
        >>> import seqlab as sl
        >>> df = sl.datasets.load("msft")
        >>> fc = sl.Forecaster(model="lstm", target="Close", lookback=60, horizon=5)
        >>> fc.fit(df).predict(df)                                      # doctest: +SKIP

        Tomorrow's 24 prices from the past week and tomorrow's load forecast, which is known:

        >>> fc = sl.Forecaster(model="nbeats", target="price", lookback=168, horizon=24,
        ...                    future_features=["load_forecast"], calendar=True)
        >>> fc.fit(prices).predict(prices, future=tomorrow)            # doctest: +SKIP
    """

    # What fit learns besides the weights, read by more than one method: the many-series
    # state (None on one series); the conformal residuals (None for a recursive model); one
    # series' scaler, split and MASE scale (None on many, where each series has its own).
    series_: ManySeries | None
    residuals_: np.ndarray | None
    freq_: Any  # a pandas frequency; None where the times have none
    scaler_: Any
    split_: Any
    mase_scale_: Any

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
        future_features: list[str] | None = None,
        holidays: str | None = None,
        step: int = 1,
        static_features: list[str] | None = None,
        levels: tuple[int, ...] | list[int] = (80, 95),
        precision: str = "auto",
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
        self.id_col = id_col
        self.time_col = time_col
        self.series_embedding = series_embedding
        self.calendar = calendar
        self.future_features = future_features
        self.holidays = holidays
        self.step = step
        self.static_features = static_features
        self.levels = levels
        self.precision = precision

    # -- parameters ---------------------------------------------------------------------------

    def _check_params(self) -> None:
        check_params(self.get_params())
        self._training_config()  # validates epochs, batch_size, lr, ...

    def _training_config(self) -> TrainConfig:
        names = (
            "epochs",
            "batch_size",
            "lr",
            "weight_decay",
            "grad_clip",
            "patience",
            "seed",
            "precision",
        )
        return TrainConfig(**{k: getattr(self, k) for k in names}, verbose=self.verbose)

    # -- fit ----------------------------------------------------------------------------------

    @property
    def is_global(self) -> bool:
        """Was this forecaster fitted on many series (one global model over long data)?"""
        self._check_fitted("is_global")
        return self.series_ is not None

    def _is_long(self, df: Any) -> bool:
        """Is ``df`` long data (many series): asked for by ``id_col``, or a ``unique_id``
        column?"""
        return self.id_col is not None or (isinstance(df, pd.DataFrame) and ID in df.columns)

    def fit(self, df: pd.DataFrame, *, checkpoint: Where = None, resume: Where = None) -> Self:
        """Split ``df`` in time order, fit the scaler on the training rows, train; return self.
        ``checkpoint``: a file the trainer writes its state to after every epoch; ``resume``:
        such a file to go on from (see :meth:`seqlab.train.Trainer.fit`)."""
        if self._is_long(df):
            self._fit_long(df, checkpoint=checkpoint, resume=resume)
        else:
            self._fit_data(*self._check_data(df), checkpoint=checkpoint, resume=resume)
        return self

    def _check_data(self, df: pd.DataFrame) -> tuple[pd.DataFrame, list[str], Split]:
        """Check the parameters and ``df``; return the clean columns, targets and split."""
        self._check_params()
        if self.loss == "pinball":
            raise ConfigError(
                "loss='pinball' of Forecaster needs long data (id_col); got one series. Use "
                "the conformal intervals of predict(df, levels=[80, 95]) instead.",
                param="loss",
            )
        if self.static_features:
            raise ConfigError(
                f"static_features of Forecaster need long data (many series, id_col); got one "
                f"series and {self.static_features}. Give them as features, or pass long data.",
                param="static_features",
            )
        columns, targets = resolve_columns(df, self.target, self.features, self.strategy)
        future = user_future(df, self.future_features, self.strategy)
        if self.strategy == "recursive" and (self.calendar or self.holidays):
            raise ConfigError(
                "calendar and holidays of Forecaster need strategy='direct' (a one-step model "
                "fed its own forecasts cannot be fed known values); got strategy='recursive'. "
                "Drop one of the two.",
                param="strategy",
            )
        columns += [c for c in future if c not in columns]
        data = check_series(df, columns, self.missing)
        data = with_generated(data, self.calendar, self.holidays)
        split = chronological_split(data.index, self.val_size, self.test_size, self.split_dates)
        self._check_rows(split)
        return data, targets, split

    def _fit_data(
        self,
        data: pd.DataFrame,
        targets: list[str],
        split: Split,
        *,
        checkpoint: Where = None,
        resume: Where = None,
        report: Any = None,
    ) -> None:
        """Fit on checked data (see _check_data; backtest folds derive from a checked split)."""
        columns = list(data.columns)
        train_values = data.to_numpy()[: split.train_end]
        for i, name in enumerate(targets):
            if np.ptp(train_values[:, i]) == 0:
                raise DataError(
                    f"target {name!r} of the data must vary over the training rows; got the "
                    f"constant {float(train_values[0, i])!r}. "
                    "A constant series has nothing to learn.",
                    param="target",
                )
        start = time.perf_counter()
        self.series_ = None
        self.residuals_ = None
        self.columns_ = columns
        self.targets_ = targets
        self.freq_ = infer_frequency(data.index)
        self.split_ = split
        self.scaler_ = Scaler(self.scaler).fit(train_values)
        self.mase_scale_ = naive_scale(train_values[:, : len(targets)])
        self.device_ = resolve_device(self.device)
        recursive = self.strategy == "recursive"
        generated = generated_names(pd.DatetimeIndex(data.index), self.calendar, self.holidays)
        self.generated_ = generated
        self.future_ = list(self.future_features or []) + generated
        self.shape_ = Shape(
            lookback=self.lookback,
            horizon=1 if recursive else self.horizon,
            input_size=len(columns),
            output_size=len(targets),
            target_index=tuple(range(len(targets))),
            season_length=self.season_length or SEASONS.get(self.freq_, 1),
            future_size=len(self.future_),
        )
        self.model_ = self._build().to(self.device_)
        if not self._trainable():  # a baseline reads the targets' past alone
            self.future_ = []
            self.shape_ = replace(self.shape_, future_size=0)
        self._train(
            lambda: self._windows(data, split), checkpoint=checkpoint, resume=resume, report=report
        )
        if isinstance(self.model_, Statistical):  # estimated once, on the training rows
            self.model_.fit_series(data.to_numpy()[: split.train_end])
        # Split-conformal calibration: the absolute errors of every validation window.
        if self.strategy == "direct":
            val_eval = self._evaluate_data(data, Split(0, split.train_end, split.val_end))
            self.residuals_ = np.sort(np.abs(val_eval.y_true - val_eval.y_pred), axis=0)
        self.fit_seconds_ = time.perf_counter() - start
        self.n_params_ = sum(p.numel() for p in self.model_.parameters() if p.requires_grad)

    def _windows(self, data: pd.DataFrame, split: Split) -> tuple[WindowSet, WindowSet]:
        """The training and validation windows of one series."""
        horizon = self.shape_.horizon
        targets = list(range(len(self.targets_)))
        windows = Windows(self._scaled(data), targets, self.lookback, horizon, self._future_at())
        # with hourly data and step 24, each forecast starts at the hour after the data's
        # last (midnight, when it ends at 23:00)
        train, val = (
            WindowSet(windows, self._on_step(split.starts(part, self.lookback, horizon), len(data)))
            for part in ("train", "val")
        )
        return train, val

    def _train(
        self, data: Callable[[], tuple[Any, Any]], *, checkpoint: Where, resume: Where, report: Any
    ) -> None:
        """Train ``model_`` on ``data()`` (training and validation windows, built only for a
        network), logging ``history_`` and ``best_epoch_``; leave it in eval mode."""
        self.history_ = pd.DataFrame(columns=["epoch", "train_loss", "val_loss", "lr", "seconds"])
        self.best_epoch_ = 0
        self.precision_ = None  # the arithmetic training used; a baseline trains nothing
        if self._trainable():
            train, val = data()
            plan = arithmetic(self.precision, self.device_, self.model)
            config = replace(self._training_config(), **plan)
            trainer = Trainer(config, loss=self._loss_fn())
            result = trainer.fit(
                self.model_,
                train,
                val,
                description=self.model,
                hooks=Hooks(report=report),
                checkpoint=checkpoint,
                resume=resume,
            )
            self.history_ = pd.DataFrame(result.history)
            self.best_epoch_ = result.best_epoch
            self.precision_ = result.precision
        self.model_.eval()

    def _loss_fn(self) -> Any:
        if self.loss != "pinball":
            return LOSSES[self.loss]
        quantiles = torch.tensor(self._quantiles())
        return lambda output, target: pinball_loss(output, target, quantiles)

    def _quantiles(self) -> tuple[float, ...]:
        """The quantile head's quantiles; none without one."""
        return level_quantiles(self.levels) if self.loss == "pinball" else ()

    def _build(self, n_series: int = 0) -> nn.Module:
        """The model for ``shape_``; on long data with ``n_series`` series (their embedding
        and the quantile head, when asked for)."""
        torch.manual_seed(self.seed)
        common = {
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
        }
        return build(
            self.model,
            self.shape_,
            common=common,
            model_params=self.model_params,
            revin=self.revin,
            channel_independent=self.channel_independent,
            series=(n_series, self.series_embedding if n_series else 0),
            quantiles=self.series_.quantiles if n_series and self.series_ else (),
        )

    @property
    def inputs_(self) -> dict[str, list[str]]:
        """What the fitted model reads: ``past`` (the window's columns), ``future`` (the
        columns it also reads for the forecast steps) and ``static`` (one value per series)."""
        self._check_fitted("inputs_")
        if not self._trainable():
            return {"past": list(self.targets_), "future": [], "static": []}
        static = list(self.series_.static) if self.series_ is not None else []
        past = [c for c in self.columns_ if c not in static]
        return {"past": past, "future": list(self.future_), "static": static}

    def _frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df``'s input columns of fit, checked, with the calendar and holidays generated."""
        own = [c for c in self.columns_ if c not in self.generated_]
        return with_generated(check_series(df, own, self.missing), self.calendar, self.holidays)

    def _on_step(self, starts: Tensor, rows: int) -> Tensor:
        """The window ``starts`` whose forecasts begin a multiple of ``step`` rows before the
        end of ``rows`` rows: every step-th origin, counted back from the last row."""
        return starts[(rows - starts - self.lookback) % self.step == 0]

    def _future_at(self) -> list[int]:
        """The columns of the model's input that it also reads for the forecast steps."""
        return [self.columns_.index(name) for name in self.future_]

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

    # -- fit on long data: one global model -------------------------------------------------

    def _read_panel(self, df: pd.DataFrame) -> Panel:
        target = TARGET if self.target is None else self.target
        if not isinstance(target, str):
            raise ConfigError(
                f"target of Forecaster must be one column on long data; got {target!r}. Give "
                "the one column to forecast; other columns go in features.",
                param="target",
            )
        features = list(self.features or [])
        features += [c for c in self.future_features or [] if c not in features and c != target]
        return Panel.from_long(
            df, self.id_col or ID, self.time_col, target, features or None, self.missing
        )

    def _min_rows(self) -> tuple[int, str]:
        rows = self.lookback + 3 * self.horizon
        return rows, f"lookback {self.lookback} + 3 x horizon {self.horizon}"

    def _fit_long(self, df: pd.DataFrame, *, checkpoint: Where, resume: Where) -> None:
        """Fit one global model on the series of long ``df`` (see panel.py)."""
        self._check_params()
        if self.strategy != "direct":
            raise ConfigError(
                f"strategy of Forecaster must be 'direct' on long data; got "
                f"{self.strategy!r}. Drop strategy='recursive'.",
                param="strategy",
            )
        if self.scaler == "asinh":
            raise ConfigError(
                "scaler='asinh' of Forecaster works on one series for now; got long data. Use "
                "'standard' (each series is scaled on its own training rows).",
                param="scaler",
            )
        if self.holidays or self.step != 1:
            raise ConfigError(
                "holidays and step of Forecaster work on one series for now; got long data "
                f"with holidays={self.holidays!r}, step={self.step}. Fit one series at a time, "
                "or drop them (future_features work on many series).",
                param="holidays" if self.holidays else "step",
            )
        start = time.perf_counter()
        panel = self._read_panel(df).drop_short(*self._min_rows())
        self.device_ = resolve_device(self.device)
        split = PanelSplit(panel.lengths, self.horizon)
        static = self._static(df, panel)
        self.series_ = ManySeries.fit(
            panel,
            split.train_end,
            scaler=self.scaler,
            calendar=self.calendar,
            quantiles=self._quantiles(),
            static=static,
        )
        self.freq_ = panel.freq
        self.future_, self.generated_ = list(self.future_features or []), []
        self.targets_ = panel.targets
        self.columns_ = panel.columns + self.series_.calendar + self.series_.static
        season = self.season_length or SEASONS.get(panel.freq or "", 1)
        baseline = self.model in BASELINES
        self.shape_ = Shape(  # a baseline reads each series' whole history, not a window
            lookback=max(self.lookback, season) if baseline else self.lookback,
            horizon=self.horizon,
            input_size=len(self.columns_),
            output_size=1,
            target_index=(0,),
            season_length=season,
            future_size=len(self.future_),
        )
        self.model_ = self._build(len(panel)).to(self.device_)
        if not self._trainable():  # a baseline reads the target's past alone
            self.future_ = []
            self.shape_ = replace(self.shape_, future_size=0)
        self.data_seconds_ = time.perf_counter() - start

        def windows() -> tuple[PanelWindowSet, PanelWindowSet]:
            assert self.series_ is not None
            scaled = self.series_.scaled(
                panel, self.series_.center, self.series_.scale, self.device_, static
            )
            data = Windows(scaled, [0], self.lookback, self.horizon, self._future_at())
            embed = self.series_embedding > 0
            train = PanelWindowSet.of(data, panel.offsets, split, "train", series=embed)
            val = PanelWindowSet.of(data, panel.offsets, split, "val", series=embed)
            self.data_seconds_ = time.perf_counter() - start
            return train, val

        self._train(windows, checkpoint=checkpoint, resume=resume, report=None)
        # Split-conformal calibration on every series' validation window.
        known = self._known_rows(panel, split.train_end)
        point, _ = self._forecast_long(panel, split.train_end, np.arange(len(panel)), static, known)
        truth = rows_from(panel, split.train_end, self.horizon)
        scale = series_scales(panel, split.train_end, self.shape_.season_length)
        self.residuals_ = np.sort(np.abs(truth - point) / scale[:, None], axis=0)
        self.fit_seconds_ = time.perf_counter() - start
        self.n_params_ = sum(p.numel() for p in self.model_.parameters() if p.requires_grad)
        self.split_ = None
        self.scaler_ = None
        self.mase_scale_ = None

    def _static(self, df: pd.DataFrame, panel: Panel) -> pd.DataFrame | None:
        """The static covariates of ``panel``'s series, one row each, from long ``df``."""
        return static_values(df, self.id_col or ID, self.static_features, panel.ids)

    def _residuals(self) -> np.ndarray:
        assert self.residuals_ is not None, "a global model keeps its validation errors"
        return self.residuals_

    def _many(self) -> ManySeries:
        """What fit learned of the series; only called on a global model."""
        assert self.series_ is not None, "a single-series forecaster has no series_"
        return self.series_

    def _known_rows(self, panel: Panel, origin: np.ndarray) -> np.ndarray | None:
        """The future covariates' rows origin .. origin+H of every series (S, H, F), from the
        panel itself (validation and test); None without future covariates."""
        if not self.future_:
            return None
        at = [panel.columns.index(name) for name in self.future_]
        return rows_from(panel, origin, self.horizon, at)

    def _forecast_long(
        self,
        panel: Panel,
        origin: np.ndarray,
        rows: np.ndarray,
        static: pd.DataFrame | None,
        known: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Point forecasts (S, H) from each series' rows before ``origin`` (and the future
        covariates' rows ``known`` (S, H, F) after it), and a quantile head's quantiles
        (S, H, Q) or None, in the data's own units."""
        if not self._trainable():
            point = history_forecasts(self.model_, panel, origin, self.horizon, device=self.device_)
            return point, None
        return self._many().forecast(
            self.model_,
            panel,
            origin,
            rows,
            lookback=self.lookback,
            embedded=self.series_embedding > 0,
            device=self.device_,
            static=static,
            known=None if known is None else (known, self._future_at()),
        )

    # -- forecasts ----------------------------------------------------------------------------

    @torch.no_grad()
    def _forecast(self, inputs: Tensor | tuple[Tensor, ...], chunk: int = 1024) -> Tensor:
        """Forecasts (N, H, C_out) for model inputs x (N, L, C), or (x, future (N, H, F)), in
        chunks."""
        self.model_.eval()
        x, *future = inputs if isinstance(inputs, tuple) else (inputs,)
        out = []
        for b in range(0, len(x), chunk):
            xb = x[b : b + chunk]
            if self.strategy == "direct":
                out.append(self.model_(xb, *(f[b : b + chunk] for f in future)))
                continue
            steps = []
            for _ in range(self.horizon):  # feed each one-step forecast back as the newest row
                y1 = self.model_(xb)[:, :1]  # (N, 1, C)
                steps.append(y1)
                xb = torch.cat([xb[:, 1:], y1], dim=1)
            out.append(torch.cat(steps, dim=1))
        return check_finite(torch.cat(out), self.model)

    def predict(
        self,
        df: pd.DataFrame,
        levels: list[int] | None = None,
        future: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """The next ``horizon`` values after the end of ``df``, indexed by their dates; on
        long data, a long frame (id, time, one column named after the model) for every
        series. ``levels`` (%) add ``<name>-lo-<level>`` / ``<name>-hi-<level>`` bounds:
        split-conformal from the validation windows, or a quantile head's. ``future``: the
        rows after ``df`` of the ``future_features`` (at least ``horizon`` of them, starting
        at the step after df's last), when the model was fitted with some."""
        self._check_fitted("predict")
        if self.is_global:
            return self._predict_long(df, levels or [], future)
        data = self._frame(df)
        if len(data) < self.lookback:
            raise DataError(
                f"data of Forecaster.predict must have at least lookback={self.lookback} rows; "
                f"got {len(data)}. Pass the most recent {self.lookback} rows or more.",
                param="data",
            )
        # a statistical model is estimated on every row given, a network reads its window
        read = len(data) if isinstance(self.model_, Statistical) else self.lookback
        x = self._scaled(data.iloc[-read:]).unsqueeze(0)  # (1, L, C)
        inputs: Tensor | tuple[Tensor, Tensor] = x
        if self.future_:
            rows = future_rows(
                data, self.freq_, self.horizon, self.future_, future, (self.calendar, self.holidays)
            )
            known = self.scaler_.transform(rows.to_numpy(), self._future_at())
            inputs = (x, torch.tensor(known, dtype=x.dtype, device=x.device).unsqueeze(0))
        y = self._unscale(self._forecast(inputs))[0]  # (H, C_out)
        index = future_index(data.index[-1], self.freq_, self.horizon)
        out = pd.DataFrame(y, index=index, columns=self.targets_)
        return with_bands(out, self.residuals_, levels or [], self.strategy)

    def evaluate(
        self, df: pd.DataFrame, levels: list[int] | None = None
    ) -> Evaluation | PanelEvaluation:
        """Metrics on the test part of ``df`` (split as in fit), in the data's own units;
        rates (MAPE, sMAPE, direction) in %. On long data, M4's scores per series and over
        all (a :class:`PanelEvaluation`), with the intervals of ``levels`` (default: the
        Forecaster's) scored too."""
        self._check_fitted("evaluate")
        if self.is_global:
            return self._evaluate_long(df, self.levels if levels is None else levels)
        data = self._frame(df)
        split = chronological_split(data.index, self.val_size, self.test_size, self.split_dates)
        self._check_rows(split)
        return self._evaluate_data(data, split)

    def _evaluate_data(self, data: pd.DataFrame, split: Split) -> Evaluation:
        c_out, lookback = len(self.targets_), self.lookback
        starts = split.starts("test", lookback, self.horizon)
        # The truth and the last observed values straight from the data, not through a scaler.
        values = data.to_numpy()[:, :c_out]
        if isinstance(self.model_, Statistical):  # the whole history before each origin
            if self.model_.fitted is None:  # loaded: the estimate of fit, made again
                self.model_.fit_series(values[: self.split_.train_end])
            y_pred = self.model_.forecast_from(values, starts.numpy() + lookback)
        else:
            targets, future = list(range(c_out)), self._future_at()
            windows = Windows(self._scaled(data), targets, lookback, self.horizon, future)
            x, _ = windows.batch(starts.to(self.device_))
            y_pred = self._unscale(self._forecast(x))
        rows = starts.numpy()[:, None] + lookback + np.arange(self.horizon)  # (N, H)
        y_true, last = values[rows], values[starts.numpy() + lookback - 1]
        dates = data.index[starts.numpy() + lookback]
        return score(y_true, y_pred, last, self.mase_scale_, dates, self.targets_)

    def update(self, df: pd.DataFrame, *, epochs: int = 1, lr: float | None = None) -> Self:
        """Train the fitted network further on every window of ``df`` (from its current
        weights, no validation): a recalibration on the latest rows, far cheaper than a refit.
        The scaler and the conformal residuals stay those of fit. ``lr``: default a tenth of
        fit's. One series only; a baseline has nothing to update."""
        self._check_fitted("update")
        check("Forecaster.update", {"epochs": positive_int()}, {"epochs": epochs})
        if self.is_global:
            raise ConfigError(
                "data of Forecaster.update must be one series; got a global model of many. "
                "Refit it on the new rows.",
                param="data",
            )
        if not self._trainable():
            return self
        data = self._frame(df)
        horizon = self.shape_.horizon
        if len(data) < self.lookback + horizon:
            raise DataError(
                f"data of Forecaster.update must have at least lookback + horizon = "
                f"{self.lookback + horizon} rows; got {len(data)}. Pass more of the latest rows.",
                param="data",
            )
        targets = list(range(len(self.targets_)))
        windows = Windows(self._scaled(data), targets, self.lookback, horizon, self._future_at())
        starts = self._on_step(torch.arange(len(data) - self.lookback - horizon + 1), len(data))
        plan = arithmetic(self.precision, self.device_, self.model)
        config = replace(
            self._training_config(), epochs=epochs, lr=lr or self.lr / 10, patience=None, **plan
        )
        Trainer(config, loss=self._loss_fn()).fit(
            self.model_, WindowSet(windows, starts), None, description=f"{self.model} update"
        )
        self.model_.eval()
        return self

    def backtest(self, df: pd.DataFrame, folds: int = 5) -> Backtest:
        """Rolling-origin evaluation: the test part is cut into ``folds`` consecutive blocks;
        for each, a fresh model is fitted on everything before it (its validation rows just
        before the block) and scored on the block. Leaves this Forecaster unchanged."""
        check("Forecaster.backtest", {"folds": positive_int()}, {"folds": folds})
        if self._is_long(df):
            raise ConfigError(
                "data of Forecaster.backtest must be one series; got long data. Backtest one "
                "series at a time, or use evaluate on the M4 split.",
                param="data",
            )
        return rolling_backtest(self, *self._check_data(df), folds)

    # -- predict and evaluate on long data ---------------------------------------------------

    def _predict_long(
        self, df: pd.DataFrame, levels: list[int], future: pd.DataFrame | None
    ) -> pd.DataFrame:
        panel = self._read_panel(df)
        if self._trainable():
            panel = panel.drop_short(self.lookback, f"lookback {self.lookback}")
        else:
            m = max(self.shape_.season_length, 2)
            panel = panel.drop_short(m, f"season length {self.shape_.season_length}")
        many = self._many()
        rows = many.rows(panel)
        id_col = self.id_col or ID
        if self.series_embedding and (rows < 0).any():
            raise DataError(
                f"{id_col} of the data must only name series seen in fit when the model has "
                f"series_embedding; got {panel.ids[rows < 0][0]!r}, which is new. Refit with "
                "it, or use series_embedding=0.",
                param="data",
            )
        origin = panel.lengths
        known = None
        if self.future_:
            id_col = self.id_col or ID
            known = panel_future_rows(
                panel, self.horizon, self.future_, future, id_col, self.time_col
            )
        point, quantiles = self._forecast_long(panel, origin, rows, self._static(df, panel), known)
        scale = series_scales(panel, origin, self.shape_.season_length)
        bands = many.bands(point, quantiles, scale, levels, self._residuals())
        h = self.horizon
        frame = {
            id_col: np.repeat(panel.ids, h),
            self.time_col: np.concatenate(
                [panel.times(s, int(origin[s]), h) for s in range(len(panel))]
            ),
            self.model: point.ravel(),
        }
        for level, (lo, hi) in bands.items():
            frame[f"{self.model}-lo-{level}"] = lo.ravel()
            frame[f"{self.model}-hi-{level}"] = hi.ravel()
        return pd.DataFrame(frame)

    def _evaluate_long(self, df: pd.DataFrame, levels: list[int] | tuple[int, ...]) -> Any:
        panel = self._read_panel(df).drop_short(*self._min_rows())
        many = self._many()
        rows = many.rows(panel)
        if (rows < 0).any():
            raise DataError(
                f"data of Forecaster.evaluate must hold the series of fit; got "
                f"{panel.ids[rows < 0][0]!r}, which is new. Evaluate on the data of fit.",
                param="data",
            )
        split = PanelSplit(panel.lengths, self.horizon)
        origin, m = split.val_end, self.shape_.season_length
        known = self._known_rows(panel, origin)
        point, quantiles = self._forecast_long(panel, origin, rows, self._static(df, panel), known)
        truth = rows_from(panel, origin, self.horizon)
        scale = series_scales(panel, origin, m)
        bands = many.bands(point, quantiles, scale, levels, self._residuals())
        naive2 = naive2_forecasts(panel, origin, m, self.horizon)
        metrics, per_series = panel_scores(truth, point, naive2, scale, bands)
        per_series.index = pd.Index(panel.ids, name=self.id_col or ID)
        dates = [panel.times(s, int(origin[s]), 1)[0] for s in range(len(panel))]
        ids = [str(i) for i in panel.ids]
        return PanelEvaluation(metrics, per_series, truth, point, bands, ids, dates)

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
        write_panel_state(path, self.series_, self.residuals_)
        return path

    @classmethod
    def load(cls, path: str | Path, device: str = "auto") -> Self:
        """Rebuild a forecaster saved by :meth:`save`; its predictions are identical."""
        path = Path(path)
        fc = cls._load_params(path, device=device)
        if fc.split_dates is not None:  # JSON has lists, not tuples
            fc.split_dates = (str(fc.split_dates[0]), str(fc.split_dates[1]))
        fc.levels = tuple(fc.levels)
        for name, value in read_state(path).items():
            setattr(fc, name, value)
        fc.series_, fc.residuals_ = read_panel_state(path, scaler=fc.scaler)
        fc.device_ = resolve_device(device)
        n_series = 0 if fc.series_ is None else len(fc.series_.ids)
        fc.model_ = read_model(path, fc._build(n_series))
        fc.model_ = fc.model_.to(fc.device_).eval()
        return fc
