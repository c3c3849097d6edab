"""Bundled series, loaded without network: ``seqlab.datasets.load(name)``.

| name            | what                                              | rows  | step  |
|-----------------|---------------------------------------------------|------:|-------|
| msft            | Microsoft daily OHLCV 1986-03-13 .. 2017-11-10    | 7983  | B     |
| airpassengers   | airline passengers (thousands), 1949 .. 1960      | 144   | MS    |
| sunspots        | monthly mean sunspot numbers, 1749 .. 1983        | 2820  | MS    |
| sine            | sin(0.02 t) + 0.1 N(0, 1), seeded                 | 1000  | D     |
| ETTh1, ETTh2    | electricity transformers, 7 columns (not bundled) | 17420 | h     |
| ETTm1, ETTm2    | the same at 15 minutes (not bundled)              | 69680 | 15min |

The ETT files are read from ``SEQLAB_DATA_DIR``, the cache, or downloaded once (see
:mod:`seqlab.datasets.ett`).

Sources and licences: ``msft`` is CC0 (Kaggle's "Price Volume Data for All US Stocks & ETFs",
as bundled in pmdarima, MIT); ``airpassengers`` and ``sunspots`` are public domain (Box &
Jenkins; SILSO), as bundled in pmdarima.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from seqlab.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DATASETS", "NAMES", "Dataset", "find", "load"]


def _bundled(filename: str, date_col: str, drop: tuple[str, ...] = (), **read_kw: object):
    """A CSV shipped in seqlab/datasets/data, indexed by its dates (columns ``drop`` left out)."""
    import pandas as pd

    with resources.files("seqlab.datasets").joinpath("data", filename).open("rb") as f:
        df = pd.read_csv(f, **read_kw)  # type: ignore[call-overload]
    df[date_col] = pd.to_datetime(df[date_col])
    return df.set_index(date_col).rename_axis("date").drop(columns=list(drop))


def _sine(rows: int = 1000, seed: int = 0) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    t = np.arange(rows)
    noise = np.random.default_rng(seed).standard_normal(rows)
    index = pd.date_range("2000-01-01", periods=rows, freq="D", name="date")
    return pd.DataFrame({"value": np.sin(0.02 * t) + 0.1 * noise}, index=index)


def _ett(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from seqlab.datasets.ett import load_ett

        return load_ett(name)

    return load


@dataclass(frozen=True)
class Dataset:
    """One row of :data:`DATASETS`: how to load a series, the column forecast by default,
    and what it is (for ``--help`` and the docs)."""

    load: Callable[[], pd.DataFrame]
    target: str
    about: str


# Adding a series is one row here: `seqlab forecast --dataset NAME`, its default target and
# the CLI's help read it from this table. Light to import: pandas loads with the data.
DATASETS: dict[str, Dataset] = {
    "msft": Dataset(
        lambda: _bundled("msft.csv.gz", "Date", ("OpenInt",), compression="gzip"),  # 0 always
        "Close",
        "Microsoft daily OHLCV, 1986 .. 2017",
    ),
    "airpassengers": Dataset(
        lambda: _bundled("airpassengers.csv", "month"), "passengers", "airline passengers"
    ),
    "sunspots": Dataset(
        lambda: _bundled("sunspots_monthly.csv", "month"), "sunspots", "monthly sunspots"
    ),
    "sine": Dataset(_sine, "value", "sin(0.02 t) + 0.1 N(0, 1), seeded"),
    "ETTh1": Dataset(_ett("ETTh1"), "OT", "electricity transformer, hourly (not bundled)"),
    "ETTh2": Dataset(_ett("ETTh2"), "OT", "electricity transformer, hourly (not bundled)"),
    "ETTm1": Dataset(_ett("ETTm1"), "OT", "electricity transformer, 15 min (not bundled)"),
    "ETTm2": Dataset(_ett("ETTm2"), "OT", "electricity transformer, 15 min (not bundled)"),
}
NAMES = tuple(DATASETS)


def find(name: str) -> Dataset:
    """The registry row of ``name`` (any case: msft, MSFT), or one sentence listing them."""
    row = {key.lower(): row for key, row in DATASETS.items()}.get(name.lower())
    if row is None:
        raise DataError(
            f"name of datasets.load must be one of {', '.join(DATASETS)}; got {name!r}. "
            "Use seqlab.data.read_table for your own files.",
            param="name",
        )
    return row


def load(name: str) -> pd.DataFrame:
    """Load a bundled series as a DataFrame with a DatetimeIndex named ``date``.

    Example:
        >>> df = load("msft")
        >>> list(df.columns)
        ['Open', 'High', 'Low', 'Close', 'Volume']
    """
    return find(name).load()
