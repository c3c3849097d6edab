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

from importlib import resources

import numpy as np
import pandas as pd

from seqlab.datasets.ett import ETT_FILES, load_ett
from seqlab.errors import DataError

__all__ = ["NAMES", "load"]

NAMES = ("msft", "airpassengers", "sunspots", "sine", "ETTh1", "ETTh2", "ETTm1", "ETTm2")


def _bundled(filename: str, date_col: str, **read_kw: object) -> pd.DataFrame:
    with resources.files("seqlab.datasets").joinpath("data", filename).open("rb") as f:
        df = pd.read_csv(f, **read_kw)  # type: ignore[call-overload]
    df[date_col] = pd.to_datetime(df[date_col])
    return df.set_index(date_col).rename_axis("date")


def _sine(rows: int = 1000, seed: int = 0) -> pd.DataFrame:
    t = np.arange(rows)
    noise = np.random.default_rng(seed).standard_normal(rows)
    index = pd.date_range("2000-01-01", periods=rows, freq="D", name="date")
    return pd.DataFrame({"value": np.sin(0.02 * t) + 0.1 * noise}, index=index)


def load(name: str) -> pd.DataFrame:
    """Load a bundled series as a DataFrame with a DatetimeIndex named ``date``.

    Example:
        >>> df = load("msft")
        >>> list(df.columns)
        ['Open', 'High', 'Low', 'Close', 'Volume']
    """
    if name in ETT_FILES:
        return load_ett(name)
    key = name.lower()
    if key == "msft":
        df = _bundled("msft.csv.gz", "Date", compression="gzip")
        return df.drop(columns=["OpenInt"])  # always 0 in the source
    if key == "airpassengers":
        return _bundled("airpassengers.csv", "month")
    if key == "sunspots":
        return _bundled("sunspots_monthly.csv", "month")
    if key == "sine":
        return _sine()
    raise DataError(
        f"name of datasets.load must be one of {', '.join(NAMES)}; got {name!r}. "
        "Use seqlab.data.read_table for your own files.",
        param="name",
    )
