"""ETT: read from SEQLAB_DATA_DIR, else the cache, else a checksum-checked download (faked)."""

import hashlib

import pandas as pd
import pytest

from seqlab import datasets
from seqlab.datasets import ett
from seqlab.errors import DataError


def test_loads_from_the_data_dir(ett_files):
    df = datasets.load("ETTh1")
    assert list(df.columns) == ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]
    assert len(df) == 17420 and df.index[0] == pd.Timestamp("2016-07-01")
    assert df.index[1] - df.index[0] == pd.Timedelta(hours=1)


def test_downloads_once_into_the_cache(monkeypatch, tmp_path, fake_download):
    payload = b"date,OT\n2016-07-01 00:00:00,1.0\n"
    monkeypatch.setitem(ett.ETT_FILES, "ETTh2", hashlib.sha256(payload).hexdigest())
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "cache"))
    calls = fake_download(payload)
    assert ett.ett_path("ETTh2").read_bytes() == payload
    assert ett.ett_path("ETTh2") == tmp_path / "cache" / "ett" / "ETTh2.csv"
    assert calls == [ett.URL.format(name="ETTh2")]  # the second call used the cache


def test_a_changed_download_is_refused(monkeypatch, tmp_path, fake_download):
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "cache"))
    fake_download(b"something else")
    with pytest.raises(DataError) as err:
        ett.ett_path("ETTm2")
    assert str(err.value).startswith("download of ett/ETTm2.csv must have SHA-256 db973ca252c6...")
    assert not (tmp_path / "cache" / "ett" / "ETTm2.csv").exists()
    with pytest.raises(DataError, match=r"^ett/ETTm2.csv must be on disk; got it neither"):
        ett.ett_path("ETTm2", download=False)
