"""Data files that are not bundled: found on disk, else downloaded once and checked.

Where a file comes from, first found wins:

1. ``SEQLAB_DATA_DIR``: a folder holding the file as ``<relpath>``, or the data root holding
   it as ``<dataset>/<relpath>`` (``../shared/data`` in a checkout of this project);
2. the cache (``SEQLAB_CACHE``, default ``~/.cache/seqlab``), as ``<dataset>/<relpath>``;
3. one download from the pinned upstream URL, checked against its SHA-256 and written to the
   cache atomically.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

from seqlab.errors import DataError
from seqlab.io import atomic_write

__all__ = ["cache_dir", "dataset_file"]


def cache_dir() -> Path:
    """The download cache: ``SEQLAB_CACHE``, default ``~/.cache/seqlab``."""
    return Path(os.environ.get("SEQLAB_CACHE", Path.home() / ".cache" / "seqlab"))


def dataset_file(dataset: str, relpath: str, sha256: str, url: str, download: bool = True) -> Path:
    """The local path of ``relpath`` of ``dataset``, downloading and checking it if needed
    (and allowed by ``download``)."""
    local = os.environ.get("SEQLAB_DATA_DIR")
    if local:
        for candidate in (Path(local) / relpath, Path(local) / dataset / relpath):
            if candidate.is_file():
                return candidate
    cached = cache_dir() / dataset / relpath
    if cached.is_file():
        return cached
    if not download:
        raise DataError(
            f"{dataset}/{relpath} must be on disk; got it neither in SEQLAB_DATA_DIR nor in "
            f"{cached.parent}. Set SEQLAB_DATA_DIR, or allow the download."
        )
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            payload = response.read()
    except OSError as err:
        raise DataError(
            f"download of {dataset}/{relpath} must reach {url}; got {type(err).__name__}. Check "
            f"the network, or set SEQLAB_DATA_DIR to a folder that holds {dataset}/{relpath}."
        ) from None
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise DataError(
            f"download of {dataset}/{relpath} must have SHA-256 {sha256[:12]}...; got "
            f"{digest[:12]}... from {url}. The source changed or the transfer broke; try again."
        )
    atomic_write(cached, payload)
    return cached
