"""Tables in: read a CSV/Parquet file into a time-indexed DataFrame, check it, and know its
frequency well enough to put dates on forecasts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqlab.data.reading import read_raw
from seqlab.errors import DataError, message

__all__ = ["check_series", "future_index", "infer_frequency", "read_long", "read_table"]

log = logging.getLogger("seqlab.data")

# Column names taken as the time axis when date_col is not given, in this order: the usual
# English ones, tushare's (trade_date, cal_date), the Chinese ones of an Excel export, year.
_DATE_NAMES = (
    "date",
    "datetime",
    "timestamp",
    "time",
    "month",
    "day",
    "ds",
    "trade_date",
    "cal_date",
    "日期",
    "时间",
    "交易日期",
    "year",
)
_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"  # a time's UTC offset, at its end
_DMY = r"^(\d{1,2})([./-])(\d{1,2})[./-]\d{2,4}\b"  # 13.01.1749, 01/02/2020, 1-2-20
_MISSING = ("error", "ffill", "interpolate")


def read_table(
    path: str | Path, date_col: str | None = None, dayfirst: bool | None = None
) -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file into a DataFrame indexed by time, sorted.

    The file as users have it (:func:`seqlab.data.reading.read_raw`): any encoding
    charset-normalizer recognises (GBK and GB18030 included), the separator (, ; tab |) and a
    decimal comma sniffed, yfinance's three-row header, .xlsx/.xls (the excel extra) and
    Parquet; spaces around column names dropped.

    The time index comes from ``date_col`` if given, else from a ``year`` column with a
    ``quarter`` or ``month`` column beside it, else from the first column whose name is a
    usual date name (date, datetime, timestamp, time, month, day, ds, trade_date, cal_date,
    日期, 时间, 交易日期, year; any case), else from the first column if it parses as dates.
    Whole numbers, and texts of 8 digits, are read as years (1990), YYYYMM (201701),
    YYYYMMDD (20170102), or epoch seconds or milliseconds. Dates written day.month.year or
    month/day/year are read day first when a value says so (13.01.1749 cannot be month
    first), month first when one says that; when none does, day first for dots (the European
    way) and month first for slashes and dashes, unless ``dayfirst`` says otherwise. Times
    with UTC offsets (+01:00, Z) are converted to UTC, so an autumn hour written twice is two
    distinct hours and a spring hour that does not exist is simply absent. Rows in
    descending time order are sorted. What was done is logged and kept in
    ``df.attrs["seqlab"]``.

    Example:
        >>> df = read_table("prices.csv")                       # doctest: +SKIP
        >>> df = read_table("load.parquet", date_col="ts")      # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"path of read_table must be an existing file; got {str(path)!r}. Check the path.",
            param="path",
        )
    table = read_raw(path)
    raw, notes = table.frame, list(table.notes)
    if raw.shape[1] < 2 or raw.shape[0] == 0:
        raise DataError(
            f"file of read_table must hold a date column and at least one value column with "
            f"rows; got {raw.shape[1]} column(s) and {raw.shape[0]} row(s) in {str(path)!r}. "
            "Check the file's separator and header.",
            param="path",
        )
    numeric = [c for c in raw.columns if pd.api.types.is_numeric_dtype(raw[c])]
    if not any(raw[c].notna().any() for c in numeric):
        raise DataError(
            f"file of read_table must be a table with at least one numeric column; got none in "
            f"{path.name} (columns: {', '.join(map(str, raw.columns))}). Check that it is a CSV "
            "of values with a header row.",
            param="path",
        )
    pair = _period_pair(raw) if date_col is None else None
    if pair is not None:  # year + quarter, or year + month
        year, period, freq = pair
        column = f"{year} + {period}"
        df = raw.drop(columns=[year, period]).set_index(_pair_dates(raw, year, period, freq))
    else:
        column = _find_date_column(raw, date_col, path)
        dates = _parse_dates(raw[column], column, dayfirst, notes)
        df = raw.drop(columns=[column]).set_index(pd.DatetimeIndex(dates, name=column))
    if not df.index.is_monotonic_increasing:
        newest_first = df.index.is_monotonic_decreasing
        notes.append("sorted by time" + (" (the file ran newest first)" if newest_first else ""))
    df = df.sort_index(kind="stable")
    duplicated = df.index[df.index.duplicated()]
    if len(duplicated):
        _refuse_duplicates(raw, column, duplicated, path)
    note = "; ".join(
        [
            f"read {len(df)} rows x {df.shape[1]} columns from {path.name}; time from column "
            f"{column!r} ({df.index[0]} .. {df.index[-1]})",
            *notes,
        ]
    )
    log.info(note)
    df.attrs["seqlab"] = note
    return df


def read_long(path: str | Path) -> pd.DataFrame:
    """Read a long table (one row per series and time) as it is, as :func:`read_table` reads
    a file (encoding, separator, decimal comma, Excel, Parquet; spaces around names dropped);
    the columns are checked when a :class:`~seqlab.data.panel.Panel` is built from it."""
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"path of read_long must be an existing file; got {str(path)!r}. Check the path.",
            param="path",
        )
    table = read_raw(path)
    for note in table.notes:
        log.info(note)
    return table.frame


def _refuse_duplicates(raw: pd.DataFrame, column: str, duplicated: pd.Index, path: Path) -> None:
    """Stop at timestamps found twice, with a hint to pass id_col when the table looks like
    long data: most timestamps come more than once, and a text column's values, with the
    time, name each row once."""
    repeated = raw[column].duplicated(keep=False).mean() >= 0.5  # most times come again
    for name in raw.columns:
        if not repeated or name == column or pd.api.types.is_numeric_dtype(raw[name]):
            continue
        ids = raw[name]
        if 1 < ids.nunique() <= len(raw) // 2 and not raw.duplicated([column, name]).any():
            raise DataError(
                f"{column} of {path.name} must hold each timestamp once for one series; got "
                f"each time up to {int(raw[column].value_counts().max())} times, one per value "
                f"of {name!r} ({ids.nunique()} of them): this looks like long data, many "
                f"series in one table. Pass id_col={name!r}.",
                param="id_col",
            )
    raise DataError(
        f"{column} of {path.name} must hold each timestamp once; got {len(duplicated)} "
        f"duplicated, the first {duplicated[0]}. Aggregate or drop the duplicated rows, "
        "or name the right time column with date_col.",
        param="date_col",
    )


_PERIOD_PAIRS = (("quarter", "QS"), ("month", "MS"))  # (column beside "year", frequency)


def _period_pair(raw: pd.DataFrame) -> tuple[str, str, str] | None:
    """(year column, quarter/month column, frequency) when the table has such a pair."""
    lower = {str(c).strip().lower(): str(c) for c in raw.columns}
    if "year" not in lower:
        return None
    for name, freq in _PERIOD_PAIRS:
        if name in lower and all(
            pd.api.types.is_integer_dtype(raw[lower[c]]) for c in ("year", name)
        ):
            return lower["year"], lower[name], freq
    return None


def _pair_dates(raw: pd.DataFrame, year: str, period: str, freq: str) -> pd.DatetimeIndex:
    months = raw[period] * 3 - 2 if freq == "QS" else raw[period]
    if not months.between(1, 12).all():
        bad = raw[period][~months.between(1, 12)].iloc[0]
        raise DataError(
            f"{period} of the table must hold {'quarters 1-4' if freq == 'QS' else 'months 1-12'}"
            f"; got {bad!r}. Fix that value, or name the time column with date_col.",
            param="date_col",
        )
    frame = pd.DataFrame({"year": raw[year], "month": months, "day": 1})
    return pd.DatetimeIndex(pd.to_datetime(frame), name="date")


def _find_date_column(raw: pd.DataFrame, date_col: str | None, path: Path) -> str:
    if date_col is not None:
        if date_col not in raw.columns:
            raise DataError(
                message(
                    "date_col",
                    "read_table",
                    f"a column of {path.name}",
                    date_col,
                    f"Columns are: {', '.join(map(str, raw.columns))}.",
                ),
                param="date_col",
            )
        return date_col
    for name in raw.columns:
        if str(name).strip().lower() in _DATE_NAMES:
            return str(name)
    first = raw.columns[0]
    if not pd.api.types.is_numeric_dtype(raw[first]):
        parsed = pd.to_datetime(raw[first], errors="coerce", format="mixed")
        if parsed.notna().all():
            return str(first)
    raise DataError(
        f"date_col of read_table must be given when no time column is found; got none among "
        f"{', '.join(map(str, raw.columns))} (tried: a column named "
        f"{'/'.join(_DATE_NAMES)}, a year column with a quarter or month column, and the "
        "first column as dates). Pass date_col='<name of the time column>'.",
        param="date_col",
    )


def _parse_number_dates(values: pd.Series, column: str) -> pd.Series | None:
    """Numbers as dates: whole years (1990), YYYYMM (201701), YYYYMMDD (20170102), epoch
    seconds or milliseconds (fractions allowed); None when they are none of these."""
    whole = bool((values % 1 == 0).all())
    seconds = values.between(1e8, 1e10).all()  # epoch seconds: 1973 .. 2286
    millis = values.between(1e11, 1e13).all()  # epoch milliseconds: the same years
    if seconds:
        return pd.Series(pd.to_datetime(values.to_numpy(), unit="s"), index=values.index)
    if millis:
        return pd.Series(pd.to_datetime(values.to_numpy(), unit="ms"), index=values.index)
    if not whole:
        return None
    ints = values.astype("int64")
    text = ints.astype(str)
    formats = (
        (ints.between(1000, 3000), "%Y", "YYYY"),
        (ints.between(100001, 300012), "%Y%m", "YYYYMM"),
        (ints.between(10000101, 30001231), "%Y%m%d", "YYYYMMDD"),
    )
    for fits, fmt, written in formats:
        if fits.all():
            parsed = pd.Series(
                pd.to_datetime(text.tolist(), format=fmt, errors="coerce"), index=values.index
            )
            if parsed.isna().any():
                row = int(np.flatnonzero(parsed.isna().to_numpy())[0])
                raise DataError(
                    f"{column} of the table must hold dates written {written}; got "
                    f"{int(ints.iloc[row])!r} at row {row}. Fix that value, or name the "
                    "right column with date_col.",
                    param="date_col",
                )
            return parsed
    return None


def _parse_dates(
    values: pd.Series,
    column: str,
    dayfirst: bool | None = None,
    notes: list[str] | None = None,
) -> pd.Series:
    """The dates of ``values`` (see :func:`read_table` for the forms and rules); what was
    decided is appended to ``notes``."""
    notes = [] if notes is None else notes
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        notes.append(f"{column}: times with a time zone, converted to UTC")
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        parsed = _parse_number_dates(values, column) if values.notna().all() else None
        if parsed is None:
            raise DataError(
                f"{column} of the table must hold dates; got numbers such as "
                f"{values.iloc[0].item()!r}, which are none of the forms read as dates (years, "
                "YYYYMM, YYYYMMDD, epoch seconds or milliseconds). Write them as dates, or "
                "name the right column with date_col.",
                param="date_col",
            )
        return parsed
    text = values.astype("string").str.strip()
    if text.notna().all() and text.str.fullmatch(r"\d{6}|\d{8}").all():
        parsed = _parse_number_dates(text.astype("int64"), column)
        if parsed is not None:
            return parsed
    options: dict = {"errors": "coerce", "format": "mixed"}
    if text.notna().all() and text.str.contains(_OFFSET).any():
        options["utc"] = True
        notes.append(f"{column}: times with UTC offsets, converted to UTC")
    parts = text.str.extract(_DMY)
    if parts.notna().all(axis=None) and len(parts):
        options["dayfirst"] = _day_first(parts, dayfirst, column, notes)
    parsed = pd.to_datetime(text, **options)
    if options.get("utc"):
        parsed = parsed.dt.tz_localize(None)
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{column} of the table must hold parseable dates; got {values.iloc[row]!r} at row "
            f"{row}. Fix that value, or name the right column with date_col.",
            param="date_col",
        )
    return parsed


def _day_first(parts: pd.DataFrame, dayfirst: bool | None, column: str, notes: list[str]) -> bool:
    """Is a date such as 01.02.2020 day first? What the values say, else ``dayfirst``, else
    the rule: day first for dots (01.02.2020, the European way), month first otherwise."""
    first, second = parts[0].astype(int), parts[2].astype(int)
    if (first > 12).any() and (second > 12).any():
        raise DataError(
            f"{column} of the table must write its dates one way; got both day-first and "
            "month-first values. Fix the file, or name the right column with date_col.",
            param="date_col",
        )
    said = True if (first > 12).any() else False if (second > 12).any() else None
    if said is not None:
        if dayfirst is not None and dayfirst != said:
            raise DataError(
                f"dayfirst of read_table must agree with the dates; got dayfirst={dayfirst} "
                f"but {column} holds values that can only be {'day' if said else 'month'} "
                "first. Leave dayfirst out.",
                param="dayfirst",
            )
        notes.append(f"{column}: dates read {'day' if said else 'month'} first, as values say")
        return said
    if dayfirst is not None:
        notes.append(f"{column}: dates read {'day' if dayfirst else 'month'} first (dayfirst)")
        return dayfirst
    dots = parts[1].iloc[0] == "."
    way = "day" if dots else "month"
    notes.append(
        f"{column}: no value tells day from month; read {way} first, the rule for dates "
        f"written with {'dots' if dots else 'slashes or dashes'} (pass dayfirst to choose)"
    )
    return dots


def check_series(df: pd.DataFrame, columns: Sequence[str], missing: str = "error") -> pd.DataFrame:
    """Return ``df[columns]`` as float64, time-sorted, with missing values handled or refused.

    ``missing``: "error" (default) stops at the first NaN/inf with its column and date;
    "ffill" carries the last value forward (then back-fills a gap at the very start);
    "interpolate" interpolates linearly in time.
    """
    if missing not in _MISSING:
        raise DataError(
            message(
                "missing",
                "check_series",
                "one of 'error', 'ffill', 'interpolate'",
                missing,
                "Pick one of the listed values.",
            ),
            param="missing",
        )
    if not isinstance(df, pd.DataFrame) or not isinstance(df.index, pd.DatetimeIndex):
        got = type(df).__name__ if not isinstance(df, pd.DataFrame) else type(df.index).__name__
        raise DataError(
            f"data must be a DataFrame with a DatetimeIndex; got {got}. Read files "
            "with seqlab.data.read_table, or call df.set_index(pd.to_datetime(df['date'])).",
            param="data",
        )
    absent = [c for c in columns if c not in df.columns]
    if absent:
        raise DataError(
            f"column {absent[0]!r} of the data must exist; got columns "
            f"{', '.join(map(str, df.columns))}. Choose the target and features among them.",
            param=("target", "features"),
        )
    if df.index.has_duplicates:
        first = df.index[df.index.duplicated()][0]
        raise DataError(
            f"index of the data must hold each timestamp once; got {first} more than once. "
            "Aggregate or drop the duplicated rows."
        )
    out = df.loc[:, list(columns)].sort_index(kind="stable")
    for c in columns:
        if not pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]):
            values = pd.to_numeric(out[c], errors="coerce")
            bad = values.isna() & out[c].notna()
            example = f" (first bad value {out[c][bad].iloc[0]!r} at {out.index[bad][0]})"
            raise DataError(
                f"column {c!r} of the data must be numeric; got dtype {out[c].dtype}"
                f"{example if bad.any() else ''}. Clean the column or leave it out of features.",
                param=("target", "features"),
            )
    out = out.astype("float64").replace([np.inf, -np.inf], np.nan)
    if out.isna().any().any():
        if missing == "error":
            c = next(c for c in columns if out[c].isna().any())
            count = int(out[c].isna().sum())
            raise DataError(
                f"column {c!r} of the data must have no missing or infinite values; got {count}, "
                f"the first at {out.index[out[c].isna()][0]}. Pass missing='ffill' or "
                "missing='interpolate', or clean the data.",
                param="missing",
            )
        out = out.ffill().bfill() if missing == "ffill" else out.interpolate("time").bfill()
    return out


def infer_frequency(index: pd.Index) -> str:
    """The data's step as a pandas offset alias; business days for daily trading data.

    pandas' own inference needs a perfectly regular index; trading calendars have holidays, so a
    daily series with no weekend dates is taken to be business-daily ("B").
    """
    if len(index) < 3:
        raise DataError(
            f"index of the data must have at least 3 timestamps to know its frequency; got "
            f"{len(index)}. Provide more rows."
        )
    dates = pd.DatetimeIndex(index)
    inferred = pd.DatetimeIndex(dates[-min(len(dates), 500) :], freq="infer").freq
    if inferred is not None:
        return str(inferred.freqstr)
    step = pd.Timedelta(dates.to_series().diff().median())
    if pd.Timedelta(hours=23) <= step <= pd.Timedelta(days=1):
        return "B" if (dates.day_of_week < 5).all() else "D"
    if pd.Timedelta(days=27) <= step <= pd.Timedelta(days=31):
        return "MS" if (dates.day == 1).all() else "ME"
    return str(pd.tseries.frequencies.to_offset(step).freqstr)


def future_index(last: pd.Timestamp, freq: str, steps: int) -> pd.DatetimeIndex:
    """The ``steps`` timestamps that follow ``last`` at frequency ``freq``."""
    offset = pd.tseries.frequencies.to_offset(freq)
    return pd.date_range(last + offset, periods=steps, freq=offset, name="date")
