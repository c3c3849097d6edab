import numpy as np
import pandas as pd
import pytest

from seqlab.data import check_series, future_index, infer_frequency, read_table
from seqlab.errors import DataError


def _write(tmp_path, text, name="x.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_finds_the_date_column_sorts_and_reports(tmp_path):
    path = _write(tmp_path, "Date,price\n2020-01-03,3\n2020-01-01,1\n2020-01-02,2\n")
    df = read_table(path)
    assert list(df["price"]) == [1, 2, 3]
    assert df.index.name == "Date" and isinstance(df.index, pd.DatetimeIndex)
    assert "sorted by time" in df.attrs["seqlab"] and "read 3 rows" in df.attrs["seqlab"]


@pytest.mark.parametrize(
    "dates",
    ["01/02/2020,01/03/2020", "2020-01-02T00:00:00,2020-01-03T00:00:00", "2020/1/2,2020/1/3"],
)
def test_parses_common_date_formats(tmp_path, dates):
    a, b = dates.split(",")
    df = read_table(_write(tmp_path, f"when,v\n{a},1\n{b},2\n"), date_col="when")
    assert df.index[1] - df.index[0] == pd.Timedelta(days=1)


def test_first_column_of_dates_is_taken_when_unnamed(tmp_path):
    df = read_table(_write(tmp_path, "period,v\n2020-01,1\n2020-02,2\n"))
    assert df.index[1] == pd.Timestamp("2020-02-01")


def test_reads_parquet(tmp_path):
    frame = pd.DataFrame({"ts": pd.date_range("2021", periods=3, freq="h"), "load": [1.0, 2, 3]})
    frame.to_parquet(tmp_path / "x.parquet")
    df = read_table(tmp_path / "x.parquet", date_col="ts")
    assert list(df.columns) == ["load"] and infer_frequency(df.index) == "h"


def test_missing_file(tmp_path):
    with pytest.raises(DataError) as err:
        read_table(tmp_path / "nope.csv")
    assert str(err.value) == (
        f"path of read_table must be an existing file; got '{tmp_path / 'nope.csv'}'. "
        "Check the path."
    )


def test_a_file_of_text(tmp_path):
    path = _write(tmp_path, "just some words\nand more words\n", "notes.txt")
    with pytest.raises(DataError) as err:
        read_table(path)
    assert "must hold a date column and at least one value column" in str(err.value)


def test_duplicated_timestamps(tmp_path):
    path = _write(tmp_path, "date,v\n2020-01-01,1\n2020-01-02,2\n2020-01-02,3\n")
    with pytest.raises(DataError) as err:
        read_table(path)
    assert str(err.value) == (
        "date of x.csv must hold each timestamp once; got 1 duplicated, the first "
        "2020-01-02 00:00:00. Aggregate or drop the duplicated rows, or name the right time "
        "column with date_col."
    )


def test_unparseable_date(tmp_path):
    path = _write(tmp_path, "date,v\n2020-01-01,1\nyesterday,2\n")
    with pytest.raises(DataError) as err:
        read_table(path)
    assert str(err.value) == (
        "date of the table must hold parseable dates; got 'yesterday' at row 1. "
        "Fix that value, or name the right column with date_col."
    )


def test_no_date_column(tmp_path):
    with pytest.raises(DataError) as err:
        read_table(_write(tmp_path, "a,b\n1,2\n3,4\n"))
    assert str(err.value).startswith("date_col of read_table must be given")


def _frame(values, column="y"):
    index = pd.date_range("2020-01-01", periods=len(values), freq="D")
    return pd.DataFrame({column: values}, index=index)


def test_check_missing_column():
    with pytest.raises(DataError) as err:
        check_series(_frame([1.0, 2.0]), ["Close"])
    assert str(err.value) == (
        "column 'Close' of the data must exist; got columns y. "
        "Choose the target and features among them."
    )


def test_check_non_numeric():
    frame = _frame(["1", "2", "n/a"])
    with pytest.raises(DataError) as err:
        check_series(frame, ["y"])
    assert str(err.value) == (
        f"column 'y' of the data must be numeric; got dtype {frame['y'].dtype} (first bad value "
        "'n/a' at 2020-01-03 00:00:00). Clean the column or leave it out of features."
    )


def test_check_nan_and_inf_error_names_column_and_date():
    with pytest.raises(DataError) as err:
        check_series(_frame([1.0, np.nan, 3.0, np.inf]), ["y"])
    assert str(err.value) == (
        "column 'y' of the data must have no missing or infinite values; got 2, the first at "
        "2020-01-02 00:00:00. Pass missing='ffill' or missing='interpolate', or clean the data."
    )


def test_check_missing_policies():
    frame = _frame([1.0, np.nan, 3.0])
    assert list(check_series(frame, ["y"], "ffill")["y"]) == [1.0, 1.0, 3.0]
    assert list(check_series(frame, ["y"], "interpolate")["y"]) == [1.0, 2.0, 3.0]


def test_check_needs_a_datetime_index():
    with pytest.raises(DataError) as err:
        check_series(pd.DataFrame({"y": [1.0]}), ["y"])
    assert str(err.value).startswith(
        "data must be a DataFrame with a DatetimeIndex; got RangeIndex."
    )


def test_business_days_for_trading_data():
    index = pd.bdate_range("2020-01-01", periods=30).delete([5, 17])  # two holidays
    assert infer_frequency(index) == "B"
    future = future_index(pd.Timestamp("2020-01-03"), "B", 2)  # a Friday
    assert list(future) == [pd.Timestamp("2020-01-06"), pd.Timestamp("2020-01-07")]


@pytest.mark.parametrize(
    ("column", "values", "first", "freq"),
    [
        ("date", [20170102, 20170103, 20170104, 20170105, 20170106], "2017-01-02", "D"),
        ("date", [201701, 201702, 201703, 201704, 201705], "2017-01-01", "MS"),
        ("timestamp", [1483315200 + 3600 * i for i in range(5)], "2017-01-02", "h"),
        ("time", [1483315200000 + 86_400_000 * i for i in range(5)], "2017-01-02", "D"),
        ("ds", [1483315200.5 + 60 * i for i in range(5)], "2017-01-02 00:00:00.5", "min"),
    ],
)
def test_numbers_are_read_as_calendar_dates(tmp_path, column, values, first, freq):
    path = tmp_path / "x.csv"
    pd.DataFrame({column: values, "y": range(5)}).to_csv(path, index=False)
    df = read_table(path)
    assert df.index[0] == pd.Timestamp(first)
    assert df.index[-1].year == 2017  # not nanoseconds after 1970
    assert infer_frequency(df.index) == freq


@pytest.mark.parametrize(
    ("period", "values", "dates"),
    [
        ("quarter", [3, 4, 1, 2], ["2016-07-01", "2016-10-01", "2017-01-01", "2017-04-01"]),
        ("Month", [11, 12, 1, 2], ["2016-11-01", "2016-12-01", "2017-01-01", "2017-02-01"]),
    ],
)
def test_year_and_quarter_or_month_columns_form_the_time_index(tmp_path, period, values, dates):
    path = tmp_path / "x.csv"
    frame = pd.DataFrame({"Year": [2016, 2016, 2017, 2017], period: values, "y": [1.0, 2, 3, 4]})
    frame.to_csv(path, index=False)
    df = read_table(path)
    assert list(df.index) == [pd.Timestamp(d) for d in dates]
    assert list(df.columns) == ["y"]


def test_a_table_without_a_time_column_lists_what_was_tried(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"id": ["a", "b"], "y": [1, 2]}).to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        read_table(path)
    assert str(err.value) == (
        "date_col of read_table must be given when no time column is found; got none among id, "
        "y (tried: a column named date/datetime/timestamp/time/month/day/ds/trade_date/"
        "cal_date/日期/时间/交易日期/year, a year column "
        "with a quarter or month column, and the first column as dates). Pass "
        "date_col='<name of the time column>'."
    )


def test_numbers_that_are_no_dates_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"date": [5, 6, 7], "y": [1, 2, 3]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"^date of the table must hold dates; got numbers such"):
        read_table(path)
    pd.DataFrame({"date": [20171301, 20171302], "y": [1, 2]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"written YYYYMMDD; got 20171301 at row 0"):
        read_table(path)
