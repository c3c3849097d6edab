import pandas as pd
import pytest
import torch

from seqlab.data import Split, Windows, chronological_split
from seqlab.errors import DataError


def test_windows_are_views_costing_rows_times_features():
    data = torch.randn(10_000, 3)
    w = Windows(data, [0], lookback=96, horizon=24)
    # The unfolded windows share the data's storage: no (rows x lookback x features) copy.
    assert w.inputs.untyped_storage().data_ptr() == data.untyped_storage().data_ptr()
    assert w.targets.untyped_storage().data_ptr() == data.untyped_storage().data_ptr()
    assert w.inputs.untyped_storage().nbytes() == data.numel() * 4
    assert w.inputs.shape == (10_000 - 96 + 1, 3, 96)


def test_windows_match_a_python_loop():
    data = torch.arange(60.0).reshape(20, 3)
    w = Windows(data, [1, 2], lookback=4, horizon=3)
    starts = torch.tensor([0, 5, 13])
    x, y = w.batch(starts)
    for k, s in enumerate(starts.tolist()):
        assert torch.equal(x[k], data[s : s + 4])
        assert torch.equal(y[k], data[s + 4 : s + 7, 1:3])


def test_parts_never_share_targets_and_never_look_forward():
    split = Split(train_end=70, val_end=80, rows=100)
    rows_of = {}
    for part in ("train", "val", "test"):
        lo, hi = split.bounds(part)
        rows_of[part] = set()
        for s in split.starts(part, lookback=12, horizon=3).tolist():
            targets = set(range(s + 12, s + 15))
            assert targets <= set(range(lo, hi))  # every target row inside its part
            assert max(range(s, s + 12)) < min(targets)  # inputs strictly before targets
            rows_of[part] |= targets
    assert not rows_of["train"] & rows_of["val"] and not rows_of["val"] & rows_of["test"]
    assert rows_of["test"] == set(range(80, 100))  # every test row is scored
    # test windows reach back into validation rows for their inputs, as they may
    assert split.starts("test", 12, 3)[0].item() == 80 - 12


def test_fraction_split_and_date_split():
    index = pd.date_range("2020-01-01", periods=100, freq="D")
    assert chronological_split(index, 0.1, 0.2) == Split(70, 80, 100)
    assert chronological_split(index, 0.1, 0.2, ("2020-02-01", "2020-03-01")) == Split(31, 60, 100)
    with pytest.raises(DataError):
        chronological_split(index, 0.1, 0.2, ("2020-03-01", "2020-02-01"))
