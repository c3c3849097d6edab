"""The files users have, read right or refused in one sentence: one file per case, written
here, and for each its first and last dates and its row count."""

import pandas as pd
import pytest

from seqlab.data import read_table
from seqlab.errors import DataError


def _read(tmp_path, name, content, **kwargs):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return read_table(path, **kwargs)


def _span(df):
    return str(df.index[0]), str(df.index[-1]), len(df)


def test_yfinance_three_row_header(tmp_path):
    text = (
        "Price,Close,High,Low,Open,Volume\n"
        "Ticker,AAPL,AAPL,AAPL,AAPL,AAPL\n"
        "Date,,,,,\n"
        "2024-01-02,185.64,188.44,183.89,187.15,82488700\n"
        "2024-01-03,184.25,185.88,183.43,184.22,58414500\n"
        "2024-01-04,181.91,183.09,180.88,182.15,71983600\n"
    )
    df = _read(tmp_path, "aapl.csv", text)
    assert _span(df) == ("2024-01-02 00:00:00", "2024-01-04 00:00:00", 3)
    assert list(df.columns) == ["Close", "High", "Low", "Open", "Volume"]
    assert df["Close"].iloc[0] == 185.64 and "yfinance" in df.attrs["seqlab"]


def test_yfinance_with_several_tickers_names_each_column_by_its_ticker(tmp_path):
    text = (
        "Price,Close,Close\nTicker,AAPL,MSFT\nDate,,\n"
        "2024-01-02,185.64,370.87\n2024-01-03,184.25,370.60\n"
    )
    df = _read(tmp_path, "two.csv", text)
    assert list(df.columns) == ["Close AAPL", "Close MSFT"]
    assert _span(df) == ("2024-01-02 00:00:00", "2024-01-03 00:00:00", 2)


def test_tushare_newest_first_with_integer_trade_date(tmp_path):
    text = (
        "ts_code,trade_date,open,close,vol\n"
        "600000.SH,20240105,7.01,7.05,300000\n"
        "600000.SH,20240104,6.98,7.00,280000\n"
        "600000.SH,20240103,6.90,6.97,310000\n"
        "600000.SH,20240102,6.95,6.91,290000\n"
    )
    df = _read(tmp_path, "tushare.csv", text)
    assert _span(df) == ("2024-01-02 00:00:00", "2024-01-05 00:00:00", 4)
    assert df["close"].tolist() == [6.91, 6.97, 7.00, 7.05]  # sorted, values with their days
    assert "newest first" in df.attrs["seqlab"]


def test_string_yyyymmdd(tmp_path):
    text = 'day_id,value\n"20230301",1.5\n"20230302",2.5\n"20230303",3.5\n'
    df = _read(tmp_path, "strings.csv", text, date_col="day_id")
    assert _span(df) == ("2023-03-01 00:00:00", "2023-03-03 00:00:00", 3)


def test_gbk_file_with_chinese_column_names(tmp_path):
    text = "日期,开盘,收盘\n2024-01-02,10.1,10.3\n2024-01-03,10.3,10.2\n2024-01-04,10.2,10.6\n"
    df = _read(tmp_path, "行情.csv", text.encode("gbk"))
    assert _span(df) == ("2024-01-02 00:00:00", "2024-01-04 00:00:00", 3)
    assert list(df.columns) == ["开盘", "收盘"] and df["收盘"].iloc[-1] == 10.6
    assert "decoded" in df.attrs["seqlab"]


def test_european_semicolons_decimal_commas_and_day_first_dates(tmp_path):
    text = "Datum;Sunspots\n01.01.1749;96,7\n01.02.1749;104,3\n13.03.1749;116,7\n"
    df = _read(tmp_path, "sunspots.csv", text, date_col="Datum")
    assert _span(df) == ("1749-01-01 00:00:00", "1749-03-13 00:00:00", 3)
    assert df["Sunspots"].tolist() == [96.7, 104.3, 116.7]
    assert "day first" in df.attrs["seqlab"]


def test_ambiguous_dates_follow_the_stated_rule_and_dayfirst_overrides(tmp_path):
    text = "date,v\n01/02/2020,1\n01/03/2020,2\n01/04/2020,3\n"
    month_first = _read(tmp_path, "us.csv", text)
    assert _span(month_first) == ("2020-01-02 00:00:00", "2020-01-04 00:00:00", 3)
    assert "pass dayfirst" in month_first.attrs["seqlab"]
    day_first = _read(tmp_path, "eu.csv", text, dayfirst=True)
    assert _span(day_first) == ("2020-02-01 00:00:00", "2020-04-01 00:00:00", 3)
    dots = _read(tmp_path, "dots.csv", "date,v\n01.02.2020,1\n01.03.2020,2\n")
    assert _span(dots) == ("2020-02-01 00:00:00", "2020-03-01 00:00:00", 2)


def test_dayfirst_that_the_values_contradict_is_one_sentence(tmp_path):
    with pytest.raises(DataError, match=r"^dayfirst of read_table must agree with the dates"):
        _read(tmp_path, "x.csv", "date,v\n13.01.2020,1\n14.01.2020,2\n", dayfirst=False)


def test_spaces_around_column_names(tmp_path):
    text = " Date , Price  , Load\n2024-01-01,10,5\n2024-01-02,11,6\n2024-01-03,12,7\n"
    df = _read(tmp_path, "spaces.csv", text)
    assert list(df.columns) == ["Price", "Load"]
    assert _span(df) == ("2024-01-01 00:00:00", "2024-01-03 00:00:00", 3)


def test_long_data_gets_a_hint_to_pass_id_col(tmp_path):
    text = "date,store,sales\n" + "".join(
        f"2024-01-0{d},{s},{d * 10}\n" for d in range(1, 4) for s in ("A", "B")
    )
    with pytest.raises(DataError, match=r"looks like long data.*Pass id_col='store'") as err:
        _read(tmp_path, "long.csv", text)
    assert err.value.params == ("id_col",)


def test_utc_offsets_with_the_repeated_autumn_hour_become_utc(tmp_path):
    # Europe/Berlin, 27 October 2024: 02:00-03:00 happens twice (+02:00, then +01:00)
    stamps = [
        "2024-10-27T01:00:00+02:00",
        "2024-10-27T02:00:00+02:00",
        "2024-10-27T02:00:00+01:00",
        "2024-10-27T03:00:00+01:00",
    ]
    text = "timestamp,load\n" + "".join(f"{s},{i}\n" for i, s in enumerate(stamps))
    df = _read(tmp_path, "dst.csv", text)
    assert _span(df) == ("2024-10-26 23:00:00", "2024-10-27 02:00:00", 4)
    assert df.index.is_unique and "UTC" in df.attrs["seqlab"]


def test_a_missing_spring_hour_is_simply_absent(tmp_path):
    # 31 March 2024: 02:00 does not exist in Berlin; 01:00+01:00 is followed by 03:00+02:00
    text = "timestamp,load\n2024-03-31T01:00:00+01:00,1\n2024-03-31T03:00:00+02:00,2\n"
    df = _read(tmp_path, "spring.csv", text)
    assert _span(df) == ("2024-03-31 00:00:00", "2024-03-31 01:00:00", 2)


def test_parquet_with_a_time_zone(tmp_path):
    index = pd.date_range("2024-01-01", periods=5, freq="h", tz="Asia/Shanghai")
    pd.DataFrame({"time": index, "value": range(5)}).to_parquet(tmp_path / "x.parquet")
    df = read_table(tmp_path / "x.parquet")
    assert _span(df) == ("2023-12-31 16:00:00", "2023-12-31 20:00:00", 5)


def test_excel_is_read_or_refused_with_the_install_hint(tmp_path):
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3), "v": [1.0, 2.0, 3.0]})
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        (tmp_path / "x.xlsx").write_bytes(b"PK")
        with pytest.raises(DataError, match=r"pip install 'seqlab\[excel\]'"):
            read_table(tmp_path / "x.xlsx")
        return
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    df = read_table(tmp_path / "x.xlsx")
    assert _span(df) == ("2024-01-01 00:00:00", "2024-01-03 00:00:00", 3)


def test_a_run_passes_dayfirst_to_the_reader(tmp_path):
    from seqlab.config import RunConfig

    path = tmp_path / "d.csv"
    path.write_text("date,v\n01/02/2020,1\n01/03/2020,2\n01/04/2020,3\n")
    df = RunConfig(data=str(path), dayfirst=True).load_data()
    assert _span(df) == ("2020-02-01 00:00:00", "2020-04-01 00:00:00", 3)


@pytest.mark.parametrize(
    "command", [["forecast"], ["predict"], ["tune"], ["explain", "gates"], ["explain", "attention"]]
)
def test_every_command_that_reads_data_offers_dayfirst(command):
    from typer.testing import CliRunner

    from seqlab.cli import app

    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert "--dayfirst" in result.output and "--monthfirst" in result.output


def test_long_tables_are_read_the_same_way(tmp_path):
    from seqlab.data.table import read_long

    text = " 日期 ;店;销量\n2024-01-01;A;1,5\n2024-01-01;B;2,5\n2024-01-02;A;3,5\n"
    (tmp_path / "long.csv").write_bytes(text.encode("gbk"))
    long = read_long(tmp_path / "long.csv")
    assert list(long.columns) == ["日期", "店", "销量"] and len(long) == 3
    assert long["销量"].tolist() == [1.5, 2.5, 3.5]


def test_names_equal_once_trimmed_are_told_apart_as_pandas_tells_repeats(tmp_path):
    """ "X" and " X" (found by the fuzz test): both read, the second as "X.1", and said so."""
    df = _read(tmp_path, "same.csv", "date,X, X\n2020-01-01,1.0,2.0\n2020-01-02,3.0,4.0\n")
    assert df.columns.tolist() == ["X", "X.1"]
    assert df["X"].tolist() == [1.0, 3.0] and df["X.1"].tolist() == [2.0, 4.0]
    assert "renamed a second column 'X' to 'X.1'" in df.attrs["seqlab"]
