import os
import urllib.request
from pathlib import Path

import pytest

# The ETT benchmark files come from the shared data folder beside the checkout (CI clones the
# project with shared/ next to it); a developer's own download cache is never consulted.
os.environ.setdefault(
    "SEQLAB_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data" / "ett")
)
os.environ["SEQLAB_CACHE"] = str(Path(__file__).resolve().parent / ".no-cache")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Tests never touch the network: any download attempt fails at once (tests of the
    download code fake urlopen themselves)."""

    def refuse(*args, **kwargs):
        raise OSError("tests do not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def ett_files():
    """Skip, saying why, where the ETT CSVs are not on disk (they are in CI)."""
    folder = Path(os.environ["SEQLAB_DATA_DIR"])
    if not (folder / "ETTh1.csv").is_file():
        pytest.skip(f"ETT files not found in SEQLAB_DATA_DIR={folder}")
    return folder
