import os
import urllib.request
from pathlib import Path

import pytest

# The data files that are not bundled (ETT, Tiny Shakespeare, the poems) come from the shared
# data folder beside the checkout (CI clones the project with shared/ next to it); a
# developer's own download cache is never consulted.
os.environ.setdefault(
    "SEQLAB_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data")
)
os.environ["SEQLAB_CACHE"] = str(Path(__file__).resolve().parent / ".no-cache")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never touch the network: any download attempt fails at once (tests of the
    download code fake urlopen themselves). Loopback is not the network: the serving tests
    call a server of their own on 127.0.0.1."""
    from urllib.parse import urlsplit

    opened = urllib.request.urlopen

    def refuse(url, *args, **kwargs):
        target = url.full_url if isinstance(url, urllib.request.Request) else str(url)
        if urlsplit(target).hostname in ("127.0.0.1", "localhost", "::1"):
            return opened(url, *args, **kwargs)
        raise OSError("tests do not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def ett_files():
    """Skip, saying why, where the ETT CSVs are not on disk (they are in CI)."""
    root = Path(os.environ["SEQLAB_DATA_DIR"])
    for folder in (root, root / "ett"):
        if (folder / "ETTh1.csv").is_file():
            return folder
    pytest.skip(f"ETT files not found in SEQLAB_DATA_DIR={root}")


@pytest.fixture
def fake_download(monkeypatch):
    """``fake_download(payload)`` makes every download return ``payload``; returns the list
    of URLs asked for."""
    import io

    calls: list[str] = []

    def install(payload: bytes) -> list[str]:
        def urlopen(url, timeout):
            calls.append(url)
            return io.BytesIO(payload)

        monkeypatch.setattr(urllib.request, "urlopen", urlopen)
        return calls

    return install
