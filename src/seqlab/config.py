"""Run settings: what defines a forecasting run, light enough to import from the CLI.

Heavy modules (torch, pandas) are imported inside the methods that need them, so that
``seqlab --help`` stays instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seqlab.datasets import find
from seqlab.errors import ConfigError, message, renamed

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RunConfig", "load_config"]


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a forecasting run; the CLI options map one-to-one onto it.

    Its defaults are the demo's, and five differ from :class:`~seqlab.tasks.Forecaster`'s on
    purpose: ``horizon`` 5 (a trading week; the Forecaster's 1 is the smallest question),
    ``epochs`` 15, ``batch_size`` 64 and ``patience`` 4 (so that four networks train in under
    three minutes on two CPU cores; the Forecaster's 30, 32 and 5 train longer), and ``revin``
    on (prices in the test years lie above anything in the training years).
    ``model_params`` maps a model's name to its own settings (``{"tcn": {"kernel_size": 5}}``).
    With ``id_col`` the data is a long table of many series (``time_col``, the target), one
    global model per network, the naive, seasonal naive and Naive2 baselines always run, and
    ``levels`` are the interval levels (%) of the forecasts. ``future_features``,
    ``calendar`` and ``holidays`` are the covariates known for the forecast steps (see
    :class:`~seqlab.tasks.Forecaster`).
    """

    data: str | None = None
    dataset: str = "msft"
    target: str | None = None
    features: list[str] | None = None
    future_features: list[str] | None = None
    calendar: bool = False
    holidays: str | None = None
    static_features: list[str] | None = None
    future: str | None = None  # a file of the future features' rows after the data
    date_col: str | None = None
    dayfirst: bool | None = None  # dates such as 01.02.2020: None, the values or the rule decide
    models: list[str] = field(default_factory=lambda: ["rnn", "lstm", "gru", "transformer"])
    baselines: list[str] = field(default_factory=lambda: ["naive", "drift"])
    lookback: int = 60
    horizon: int = 5
    strategy: str = "direct"
    epochs: int = 15
    batch_size: int = 64
    lr: float = 1e-3
    hidden_size: int = 64
    num_layers: int = 2
    dropout: float = 0.0
    revin: bool = True
    patience: int = 4
    val_size: float = 0.1
    test_size: float = 0.2
    missing: str = "error"
    model_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    device: str = "auto"
    precision: str = "auto"
    seed: int = 0
    id_col: str | None = None
    time_col: str = "ds"
    levels: list[int] = field(default_factory=lambda: [80, 95])

    def forecaster_params(self, model: str) -> dict[str, Any]:
        """The :class:`~seqlab.tasks.Forecaster` parameters of ``model`` in this run."""
        return {
            "model": model,
            "target": self.resolved_target(),
            "features": self.features,
            "future_features": self.future_features,
            "calendar": self.calendar,
            "holidays": self.holidays,
            "lookback": self.lookback,
            "horizon": self.horizon,
            "strategy": self.strategy,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
            "model_params": self.model_params.get(model),
            "revin": self.revin,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "patience": self.patience,
            "val_size": self.val_size,
            "test_size": self.test_size,
            "missing": self.missing,
            "device": self.device,
            "precision": self.precision,
            "seed": self.seed,
            **(
                {
                    "id_col": self.id_col,
                    "time_col": self.time_col,
                    "levels": self.levels,
                    "static_features": self.static_features,
                }
                if self.id_col is not None
                else {}
            ),
        }

    def resolved_target(self) -> str | None:
        if self.target is not None or self.data is not None:
            return self.target
        with renamed(name="dataset"):
            return find(self.dataset).target

    def load_data(self) -> pd.DataFrame:
        from seqlab import datasets
        from seqlab.data.table import read_table

        if self.data is not None:
            with renamed(path="data"):
                if self.id_col is not None:
                    from seqlab.data.table import read_long

                    return read_long(self.data)
                return read_table(self.data, self.date_col, self.dayfirst)
        if self.id_col is not None:
            raise ConfigError(
                "data of seqlab forecast must be a file when id_col is given; got the bundled "
                f"{self.dataset!r}, which is one series. Pass --data with a long table.",
                param="data",
            )
        with renamed(name="dataset"):
            return datasets.load(self.dataset)

    def load_future(self) -> pd.DataFrame | None:
        """The rows of ``future`` (read as the data is: a long table with ``id_col``), or
        None without one."""
        if self.future is None:
            return None
        from seqlab.data import read_table
        from seqlab.data.table import read_long

        with renamed(path="future"):
            if self.id_col is not None:
                return read_long(self.future)
            return read_table(self.future, self.date_col, self.dayfirst)

    def all_models(self) -> list[str]:
        """The models, then the baselines; on many series M4's three always among them."""
        always = ["naive", "seasonal_naive", "naive2"] if self.id_col is not None else []
        return list(dict.fromkeys([*self.models, *self.baselines, *always]))


def load_config(path: str | Path, **overrides: Any) -> RunConfig:
    """Read a RunConfig from YAML or JSON (a run folder's config.json works), then apply
    ``overrides`` (the options given on the command line)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(
            message(
                "config",
                "seqlab forecast",
                "an existing YAML or JSON file",
                str(path),
                "Check the path, or drop --config.",
            ),
            param="config",
        )
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(
            f"config of seqlab forecast must be valid YAML or JSON; got {str(path)!r}, which "
            f"fails to parse ({type(err).__name__}). Fix the file.",
            param="config",
        ) from None
    known = {f.name for f in fields(RunConfig)}
    unknown = sorted(set(raw) - known) if isinstance(raw, dict) else ["<not a mapping>"]
    if unknown:
        raise ConfigError(
            f"config of seqlab forecast must only hold run settings; got unknown {unknown} in "
            f"{path.name}. Known settings: {', '.join(sorted(known))}.",
            param="config",
        )
    return RunConfig(**{**raw, **overrides})
