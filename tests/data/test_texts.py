"""The language-modelling texts: found on disk, else downloaded once and checked (faked)."""

import hashlib

import pytest

from seqlab.datasets import texts
from seqlab.datasets.files import dataset_file
from seqlab.errors import ConfigError, DataError


def test_shakespeare_is_the_char_rnn_file():
    text = texts.shakespeare()
    assert len(text) == 1_115_394 and len(set(text)) == 65
    assert hashlib.sha256(text.encode()).hexdigest() == texts.SHAKESPEARE_SHA256


def test_poems_are_read_in_file_order_with_their_titles():
    ci = texts.poems("ci")
    assert len(ci) == 21_053
    assert (
        ci[0] == texts.Poem("导引", "和岘", ci[0].lines)
        and ci[0].lines[0] == "气和玉烛，睿化著鸿明。"
    )
    assert sum(len(p.text) for p in ci) == 1_707_617  # the README's count
    with pytest.raises(ConfigError, match=r"^collection of poems must be one of 'ci', 'tang'"):
        texts.poems("song")


def test_a_missing_file_is_downloaded_once_checked_and_cached(monkeypatch, tmp_path, fake_download):
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "cache"))
    payload = b"to be or not to be"
    calls = fake_download(payload)
    digest = hashlib.sha256(payload).hexdigest()
    path = dataset_file("demo", "x.txt", digest, "https://example.org/x.txt")
    assert path == tmp_path / "cache" / "demo" / "x.txt" and path.read_bytes() == payload
    assert dataset_file("demo", "x.txt", digest, "https://example.org/x.txt") == path
    assert calls == ["https://example.org/x.txt"]  # the second call used the cache


def test_a_download_with_another_checksum_is_refused(monkeypatch, tmp_path, fake_download):
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "cache"))
    fake_download(b"something else")
    with pytest.raises(DataError, match=r"^download of demo/x.txt must have SHA-256 000000000000"):
        dataset_file("demo", "x.txt", "0" * 64, "https://example.org/x.txt")
    assert not (tmp_path / "cache" / "demo" / "x.txt").exists()


def test_offline_the_error_says_how_to_point_at_a_copy(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQLAB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("SEQLAB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(DataError) as err:
        texts.shakespeare()
    assert str(err.value) == (
        f"download of shakespeare/input.txt must reach {texts.SHAKESPEARE_URL}; got OSError. "
        "Check the network, or set SEQLAB_DATA_DIR to a folder that holds "
        "shakespeare/input.txt."
    )
