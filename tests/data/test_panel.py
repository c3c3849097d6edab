"""Long data in: the flat panel, its checks, M4's per-series split and windows that never
cross two series."""

import numpy as np
import pandas as pd
import pytest
import torch

from seqlab.data.panel import Panel, PanelSplit, PanelWindowSet, calendar_features, wide_to_long
from seqlab.data.windows import Windows
from seqlab.errors import DataError


def long_frame(lengths=(30, 45, 38), freq="h", shuffle=False, seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for i, n in enumerate(lengths):
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(hours=3 * i)
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": f"s{i}",
                    "ds": pd.date_range(start, periods=n, freq=freq),
                    "y": 100 * i + np.arange(n, dtype=float),
                    "x": rng.standard_normal(n),
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    return df.sample(frac=1, random_state=0) if shuffle else df


def test_from_long_lays_series_out_sorted_with_offsets():
    panel = Panel.from_long(long_frame(shuffle=True), features=["x"])
    assert panel.offsets.tolist() == [0, 30, 75, 113]
    assert list(panel.ids) == ["s0", "s1", "s2"] and panel.freq == "h"
    assert panel.columns == ["y", "x"] and panel.targets == ["y"]
    for s in range(3):  # each series in time order: y counts up from 100·s
        np.testing.assert_array_equal(panel.series(s)[:, 0], 100 * s + np.arange(panel.lengths[s]))
    assert panel.first[1] == pd.Timestamp("2024-01-01 03:00")
    assert panel.times(1, 44, 3).tolist() == [  # its last row, then two past its end
        pd.Timestamp("2024-01-02 23:00"),
        pd.Timestamp("2024-01-03 00:00"),
        pd.Timestamp("2024-01-03 01:00"),
    ]


def test_wide_frames_convert_with_one_call():
    index = pd.date_range("2024-01-01", periods=4, freq="D", name="date")
    wide = pd.DataFrame({"b": [1.0, 2.0, 3.0, 4.0], "a": [np.nan, 5.0, 6.0, np.nan]}, index=index)
    long = wide_to_long(wide)
    assert list(long.columns) == ["unique_id", "ds", "y"]
    assert long["unique_id"].tolist() == ["b"] * 4 + ["a"] * 2  # late start, early end dropped
    assert long["y"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    panel = Panel.from_long(long)
    assert panel.lengths.tolist() == [2, 4] and panel.freq == "D"  # sorted by id: a, b


def _one_sentence(df, **kwargs):
    with pytest.raises(DataError) as err:
        Panel.from_long(df, **kwargs)
    text = str(err.value)
    assert text.count(". ") <= 2 and "\n" not in text
    return text


def test_bad_long_data_gets_one_sentence_naming_the_series():
    df = long_frame()
    text = _one_sentence(df, id_col="store")
    assert text.startswith("id_col of the long data must name a column; got 'store'")
    assert "--id-col" in text
    dup = pd.concat([df, df[df["unique_id"] == "s1"].iloc[[4]]])
    text = _one_sentence(dup)
    assert "got series 's1' twice at 2024-01-01 07:00:00" in text
    one = df[df["unique_id"] == "s0"]
    assert "must hold at least two series; got one, 's0'" in _one_sentence(one)
    mixed = pd.concat(
        [df[df["unique_id"] != "s2"], long_frame((30,), freq="D").assign(unique_id="daily")]
    )
    text = _one_sentence(mixed)
    assert (
        "got series 'daily' stepping 1 days 00:00:00 where the others step 0 days 01:00:00" in text
    )
    gap = df.drop(index=40)
    assert "series 's1' stepping" in _one_sentence(gap)
    nan = df.copy()
    nan.loc[35, "y"] = np.nan
    assert "the first in series 's1' at its row 5" in _one_sentence(nan)
    filled = Panel.from_long(nan, missing="interpolate")
    assert filled.series(1)[5, 0] == 105.0


def test_short_series_are_left_out_in_one_warning():
    panel = Panel.from_long(long_frame((30, 10, 38, 12)))
    with pytest.warns(
        UserWarning, match=r"left out 2 of 4 series shorter than 20 rows .*'s1' with 10"
    ):
        kept = panel.drop_short(20, "test")
    assert list(kept.ids) == ["s0", "s2"] and kept.offsets.tolist() == [0, 30, 68]
    np.testing.assert_array_equal(kept.series(1), panel.series(2))


@pytest.mark.parametrize("part", ["train", "val", "test"])
def test_no_window_crosses_two_series_or_leaves_its_part(part):
    lengths, lookback, horizon = (30, 45, 38, 26), 8, 3
    panel = Panel.from_long(long_frame(lengths))
    split = PanelSplit(panel.lengths, horizon)
    data = torch.tensor(panel.values, dtype=torch.float32)
    windows = PanelWindowSet.of(Windows(data, [0], lookback, horizon), panel.offsets, split, part)
    series, starts = windows.locate(torch.arange(len(windows)))
    offsets = torch.as_tensor(panel.offsets)
    first_row, last_row = starts, starts + lookback + horizon - 1
    owner = torch.searchsorted(offsets, first_row, right=True) - 1
    assert (owner == series).all()
    assert (torch.searchsorted(offsets, last_row, right=True) - 1 == series).all()  # same series
    target_end = last_row + 1 - offsets[series]  # the part's end bounds the targets
    assert (target_end <= torch.as_tensor(split.end(part))[series]).all()
    n = np.asarray(lengths)
    expected = {"train": (n - 2 * horizon - lookback - horizon + 1).sum(), "val": 4, "test": 4}
    assert len(windows) == expected[part]
    if part != "train":  # one window per series, ending at the part's end
        assert (target_end == torch.as_tensor(split.end(part))).all()
    x, y = windows.batch(torch.arange(len(windows)))
    assert x.shape == (len(windows), lookback, 1) and y.shape == (len(windows), horizon, 1)
    # y counts up from 100·s inside series s: the targets are that series' rows
    assert torch.equal(y[:, 0, 0] - 100 * series, (starts - offsets[series] + lookback).float())


def test_calendar_features_are_cycles_of_the_dates():
    panel = Panel.from_long(long_frame((30, 30)))
    values, names = calendar_features(panel)
    assert names == ["hour_sin", "hour_cos", "weekday_sin", "weekday_cos", "month_sin", "month_cos"]
    assert values.shape == (60, 6)
    np.testing.assert_allclose(values[0, :2], [0, 1], atol=1e-6)  # s0 starts at midnight
    np.testing.assert_allclose(values[30, :2], [0.5**0.5, 0.5**0.5], atol=1e-6)  # s1: 03:00
