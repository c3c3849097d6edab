"""The download adapters, offline: recorded-shape responses stand in for the network."""

import sys
import types

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqlab.cli import app
from seqlab.data import read_table
from seqlab.data.sources import fetch_tushare, fetch_yfinance
from seqlab.errors import DataError


def _yahoo_frame():
    """The shape yfinance >= 0.2.48 returns: (field, ticker) MultiIndex columns."""
    index = pd.DatetimeIndex(pd.bdate_range("2024-01-02", periods=4), name="Date")
    fields = ["Close", "High", "Low", "Open", "Volume"]
    values = np.arange(20, dtype=float).reshape(4, 5) + 100
    columns = pd.MultiIndex.from_product([fields, ["MSFT"]], names=["Price", "Ticker"])
    return pd.DataFrame(values, index=index, columns=columns)


@pytest.fixture
def fake_yfinance(monkeypatch):
    module = types.SimpleNamespace(download=lambda *a, **k: _yahoo_frame())
    monkeypatch.setitem(sys.modules, "yfinance", module)
    return module


def test_yfinance_to_csv_that_forecast_reads(fake_yfinance, tmp_path):
    out = tmp_path / "msft.csv"
    result = CliRunner().invoke(
        app, ["data", "fetch", "yfinance", "MSFT", "--start", "2024-01-01", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    df = read_table(out)
    assert list(df.columns) == ["Open", "High", "Low", "Close", "Volume"]
    assert df["Close"].iloc[0] == 100 and len(df) == 4


def test_yfinance_offline_is_one_sentence(monkeypatch):
    monkeypatch.setitem(
        sys.modules, "yfinance", types.SimpleNamespace(download=lambda *a, **k: pd.DataFrame())
    )
    with pytest.raises(DataError) as err:
        fetch_yfinance("MSFT", "2024-01-01")
    assert str(err.value) == (
        "download of MSFT from Yahoo Finance must return prices; got none for 2024-01-01 .. "
        "today (an empty answer). Check the network connection, the code and the dates."
    )


def test_tushare_classic_and_pro(monkeypatch):
    classic = pd.DataFrame(
        {
            "date": ["2019-01-03", "2019-01-02"],
            "open": [2, 1],
            "close": [2, 1],
            "high": [2, 1],
            "low": [2, 1],
            "volume": [20, 10],
            "code": ["000001", "000001"],
        }
    )
    pro_rows = pd.DataFrame(
        {
            "ts_code": ["000001.SZ"],
            "trade_date": ["20190102"],
            "open": [1.0],
            "high": [1.0],
            "low": [1.0],
            "close": [1.0],
            "vol": [10.0],
        }
    )
    seen = {}

    class Pro:
        def daily(self, **kw):
            seen.update(kw)
            return pro_rows

    module = types.SimpleNamespace(get_k_data=lambda *a, **k: classic, pro_api=lambda t: Pro())
    monkeypatch.setitem(sys.modules, "tushare", module)
    monkeypatch.delenv("TUSHARE_TOKEN", raising=False)
    df = fetch_tushare("000001", "2019-01-01", index=True)
    assert list(df.columns) == ["Open", "High", "Low", "Close", "Volume"]
    assert df.index[0] == pd.Timestamp("2019-01-02")  # sorted
    df = fetch_tushare("000001.SZ", "2019-01-01", "2019-02-01", token="abc")
    assert seen == {"ts_code": "000001.SZ", "start_date": "20190101", "end_date": "20190201"}
    assert df["Volume"].iloc[0] == 10.0


def test_tushare_offline_is_one_red_line(monkeypatch):
    def refuse(*a, **k):
        raise OSError("network unreachable")

    monkeypatch.setitem(sys.modules, "tushare", types.SimpleNamespace(get_k_data=refuse))
    monkeypatch.delenv("TUSHARE_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["data", "fetch", "tushare", "000001"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: download of 000001 from tushare must return prices; got none for the start .. "
        "today (OSError). Check the network connection, the code and the dates. On the "
        "command line: --start, --end."
    )


def test_a_data_source_that_fails_on_its_own_import_is_not_called_missing(monkeypatch, tmp_path):
    """tushare installed but missing a dependency of its own is said so, with the extra that
    brings it; a module not installed at all is called missing."""
    (tmp_path / "tushare.py").write_text("import a_dependency_tushare_forgot\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "tushare", raising=False)
    result = CliRunner().invoke(app, ["data", "fetch", "tushare", "000001"])
    assert result.exit_code == 1
    assert result.output.replace("\n", " ").strip() == (
        "error: tushare of seqlab.data.sources must import; got it installed but missing its "
        "own dependency 'a_dependency_tushare_forgot' (ModuleNotFoundError). Install the data "
        "extra, which brings it: pip install 'seqlab[data]' (or pip install "
        "a_dependency_tushare_forgot)."
    )
    monkeypatch.setitem(sys.modules, "tushare", None)  # not installed at all
    result = CliRunner().invoke(app, ["data", "fetch", "tushare", "000001"])
    assert "must be installed for this download; got it missing. Install the data extra: " in (
        result.output.replace("\n", " ")
    )
