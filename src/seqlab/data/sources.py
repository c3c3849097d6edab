"""Downloads, only when asked: daily prices from Yahoo Finance (yfinance) and from tushare.

Both need the ``data`` extra (``pip install 'seqlab[data]'``) and the network. Each returns a
DataFrame indexed by date with columns Open, High, Low, Close, Volume — the shape that
``seqlab.data.read_table`` and ``seqlab forecast`` read back from the CSV written by
:func:`write_csv`.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pandas as pd

from seqlab.errors import ConfigError, DataError
from seqlab.io import atomic_write

__all__ = ["fetch_tushare", "fetch_yfinance", "write_csv"]

COLUMNS = ["Open", "High", "Low", "Close", "Volume"]


def _require(module: str) -> Any:
    """``module`` imported, or one sentence: missing, or installed but failing on an import
    of its own (tushare needs ``six`` without declaring it; the data extra installs it)."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        missing = err.name or "?"
        if missing.split(".")[0] == module:
            raise ConfigError(
                f"{module} of seqlab.data.sources must be installed for this download; got it "
                "missing. Install the data extra: pip install 'seqlab[data]'.",
                param=module,
            ) from None
        raise ConfigError(
            f"{module} of seqlab.data.sources must import; got it installed but missing its "
            f"own dependency {missing!r} ({type(err).__name__}). Install the data extra, which "
            f"brings it: pip install 'seqlab[data]' (or pip install {missing}).",
            param=module,
        ) from None


def _no_data(source: str, code: str, start: str | None, end: str | None, why: str) -> DataError:
    span = f"{start or 'the start'} .. {end or 'today'}"
    return DataError(
        f"download of {code} from {source} must return prices; got none for {span} ({why}). "
        "Check the network connection, the code and the dates.",
        param=("start", "end"),
    )


def fetch_yfinance(ticker: str, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Daily OHLCV of ``ticker`` from Yahoo Finance, prices adjusted for splits and dividends.

    Example:
        >>> df = fetch_yfinance("MSFT", start="2015-01-01", end="2020-01-01")  # doctest: +SKIP
    """
    yf = _require("yfinance")
    try:
        raw = yf.download(ticker, start=start, end=end, auto_adjust=True, progress=False)
    except Exception as err:  # yfinance raises many kinds when offline; all mean "no data"
        raise _no_data("Yahoo Finance", ticker, start, end, type(err).__name__) from None
    if raw is None or raw.empty:
        raise _no_data("Yahoo Finance", ticker, start, end, "an empty answer")
    if isinstance(raw.columns, pd.MultiIndex):  # newer yfinance: (field, ticker) columns
        raw = raw.droplevel(-1, axis=1) if raw.columns.nlevels > 1 else raw
    df = raw[[c for c in COLUMNS if c in raw.columns]].copy()
    df.index = pd.DatetimeIndex(pd.to_datetime(raw.index).tz_localize(None), name="date")
    return df.sort_index()


def fetch_tushare(
    code: str,
    start: str | None = None,
    end: str | None = None,
    token: str | None = None,
    index: bool = False,
) -> pd.DataFrame:
    """Daily OHLCV of an A-share ``code`` from tushare.

    With a token (``token=`` or the ``TUSHARE_TOKEN`` environment variable) this uses tushare
    Pro's ``daily`` (codes like ``000001.SZ``); without one, the classic ``get_k_data``
    (codes like ``000001``; ``index=True`` for an index such as the SSE composite).

    Example:
        >>> df = fetch_tushare("000001", start="2019-01-01", index=True)  # doctest: +SKIP
    """
    ts = _require("tushare")
    token = token or os.environ.get("TUSHARE_TOKEN")
    try:
        if token:
            pro = ts.pro_api(token)
            raw = pro.daily(ts_code=code, start_date=_compact(start), end_date=_compact(end))
            renames = {"trade_date": "date", "vol": "volume"}
        else:
            raw = ts.get_k_data(code, start=start or "", end=end or "", index=index)
            renames = {}
    except Exception as err:  # tushare raises bare Exceptions when offline or refused
        raise _no_data("tushare", code, start, end, type(err).__name__) from None
    if raw is None or len(raw) == 0:
        raise _no_data("tushare", code, start, end, "an empty answer")
    raw = raw.rename(columns=renames)
    df = raw.rename(columns=str.capitalize)[["Date", *COLUMNS]]
    df["Date"] = pd.to_datetime(df["Date"].astype(str))
    return df.set_index("Date").rename_axis("date").sort_index()


def _compact(date: str | None) -> str:
    return "" if date is None else pd.Timestamp(date).strftime("%Y%m%d")


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a fetched frame as CSV with a ``date`` column, atomically."""
    path = Path(path)
    atomic_write(path, df.to_csv(index_label="date").encode())
    return path
