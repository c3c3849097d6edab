"""Files as users have them, into a raw DataFrame: the encoding, the separator and the decimal
mark, a yfinance-style header of three rows, Excel and Parquet.

What was detected is returned as notes (one short sentence each) for the table reader to log
and keep; a file that cannot be read is one sentence that says what to do.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from seqlab.errors import DataError

__all__ = ["Raw", "read_raw"]

_PARQUET = (".parquet", ".pq")
_EXCEL = (".xlsx", ".xlsm", ".xls")
_SEPARATORS = ",;\t|"
_DECIMAL_COMMA = re.compile(r"(?<![\d,])\d+,\d+(?![\d,])")


@dataclass
class Raw:
    """A file's table as read, before any column is taken as time: its columns named without
    the spaces around them (a name that then repeats gets pandas' ".1"), and what was
    detected on the way."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def read_raw(path: Path) -> Raw:
    """The table in ``path``: Parquet, Excel (.xlsx/.xls, with the excel extra) or delimited
    text in any encoding charset-normalizer recognises (GBK and GB18030 included),
    separated by , ; tab or |, with a decimal point or a decimal comma, and a header of one
    row or yfinance's three."""
    table = _read(path)
    names: list[str] = []
    for column in (str(c).strip() for c in table.frame.columns):
        name, k = column, 1
        while name in names:  # "X" and " X": told apart as pandas tells "X" and "X" apart
            name, k = f"{column}.{k}", k + 1
        if name != column:
            table.notes.append(f"renamed a second column {column!r} to {name!r}")
        names.append(name)
    table.frame.columns = names
    return table


def _read(path: Path) -> Raw:
    suffix = path.suffix.lower()
    if suffix in _PARQUET:
        return Raw(_parsed(lambda: pd.read_parquet(path), path, "Parquet"))
    if suffix in _EXCEL:
        return Raw(_read_excel(path), notes=[f"read the first sheet of {path.name}"])
    text, encoding = _decode(path.read_bytes(), path)
    notes = [] if encoding == "utf-8" else [f"decoded {path.name} as {encoding}"]
    lines = text.splitlines()
    separator = _separator(lines[:50])
    decimal = "," if separator != "," and _decimal_comma(lines[1:50], separator) else "."
    if separator != ",":
        notes.append(f"columns separated by {separator!r}")
    if decimal == ",":
        notes.append("numbers written with a decimal comma")
    header: dict = {}
    yfinance = _yfinance_header(lines[:3], separator)
    if yfinance is not None:
        names, skip = yfinance
        header = {"header": None, "names": names, "skiprows": skip}
        notes.append("a yfinance header of three rows (Price, Ticker, Date)")
    frame = _parsed(
        lambda: pd.read_csv(io.StringIO(text), sep=separator, decimal=decimal, **header),
        path,
        "CSV",
    )
    return Raw(frame, notes)


def _parsed(read, path: Path, kind: str) -> pd.DataFrame:
    try:
        return read()
    except Exception as err:  # a parser's own error is not a sentence a user can act on
        raise DataError(
            f"file of read_table must be a readable {kind} table; got {str(path)!r}, which "
            f"could not be parsed ({type(err).__name__}). Check that it is a table.",
            param="path",
        ) from None


def _read_excel(path: Path) -> pd.DataFrame:
    engine: Literal["xlrd", "openpyxl"] = "xlrd" if path.suffix.lower() == ".xls" else "openpyxl"
    try:
        __import__(engine)
    except ImportError:
        raise DataError(
            f"file of read_table is an Excel workbook ({path.suffix}), which needs {engine}; "
            f"it is not installed. Install it with pip install 'seqlab[excel]', or save the "
            "sheet as CSV.",
            param="path",
        ) from None
    return _parsed(lambda: pd.read_excel(path, engine=engine), path, "Excel")


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """The file's text and the encoding it was read in: UTF-8 (a BOM dropped) when it is;
    else what charset-normalizer detects, unless the bytes are valid GB18030 (the superset of
    GBK, what a Chinese Excel writes) and read at least as cleanly in it by
    charset-normalizer's own measure of mess: on a short file the detectors take GBK for
    Korean, Big5 or a Central European code page."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    best = from_bytes(data).best()
    candidates = [] if best is None else [(best.encoding, str(best))]
    with contextlib.suppress(UnicodeDecodeError):
        candidates.insert(0, ("gb18030", data.decode("gb18030")))
    if not candidates:
        raise DataError(
            f"file of read_table must be text in a known encoding; got {path.name}, whose "
            "encoding could not be found. Save it as UTF-8 (in Excel: CSV UTF-8).",
            param="path",
        )
    encoding, text = min(candidates, key=lambda c: mess_ratio(c[1], maximum_threshold=1.0))
    return text, encoding


def _separator(lines: list[str]) -> str:
    """The separator the first lines agree on: csv's sniffer among , ; tab |, else the one
    the header row holds most of (a comma when it holds none)."""
    sample = "\n".join(line for line in lines if line.strip())
    try:
        return csv.Sniffer().sniff(sample, delimiters=_SEPARATORS).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {sep: header.count(sep) for sep in _SEPARATORS}
        best = max(counts, key=lambda sep: counts[sep])
        return best if counts[best] else ","


def _decimal_comma(rows: list[str], separator: str) -> bool:
    """Do the values write their decimals with a comma (1,5 or 1234,56)?"""
    cells = [cell.strip() for row in rows for cell in row.split(separator)]
    return any(_DECIMAL_COMMA.fullmatch(cell) for cell in cells)


def _yfinance_header(lines: list[str], separator: str) -> tuple[list[str], int] | None:
    """yfinance's ``download(...).to_csv()`` writes "Price,Close,High,...", then
    "Ticker,AAPL,AAPL,...", then "Date,,,,": the column names (with the ticker when there are
    several) and the rows to skip; None for any other header."""
    rows = [line.split(separator) for line in lines]
    if len(rows) < 2 or rows[0][0].strip() != "Price" or rows[1][0].strip() != "Ticker":
        return None
    prices = [p.strip() for p in rows[0][1:]]
    tickers = [t.strip() for t in rows[1][1:]]
    several = len(set(tickers)) > 1
    names = [f"{p} {t}" if several else p for p, t in zip(prices, tickers, strict=False)]
    third = [c.strip() for c in rows[2]] if len(rows) > 2 else []
    if third and third[0] and not any(third[1:]):  # "Date,,,,,"
        return [third[0], *names], 3
    return ["Date", *names], 2
