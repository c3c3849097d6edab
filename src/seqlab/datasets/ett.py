"""ETT (Electricity Transformer Temperature): the long-horizon forecasting benchmark.

.. [1] Zhou et al. (2021). Informer: Beyond Efficient Transformer for Long Sequence Time-Series
       Forecasting. AAAI. arXiv:2012.07436. Data: github.com/zhouhaoyi/ETDataset (CC BY-ND 4.0).

Where the files come from, first found wins (:func:`seqlab.datasets.files.dataset_file`): the
folder in ``SEQLAB_DATA_DIR`` (or its ``ett/`` folder, when it names the data root); the cache
(``SEQLAB_CACHE``, default ``~/.cache/seqlab``); a download from the official repository,
checked against its SHA-256 and written to the cache atomically. The files are
used as published: the license forbids redistributing modified copies, so every transformation
happens at load time.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from seqlab.datasets.files import dataset_file
from seqlab.errors import DataError

__all__ = ["BORDERS", "ETT_FILES", "ett_path", "load_ett"]

URL = "https://raw.githubusercontent.com/zhouhaoyi/ETDataset/main/ETT-small/{name}.csv"

# SHA-256 of the official files (see ../shared/data/ett/README.md for how they were checked).
ETT_FILES = {
    "ETTh1": "f18de3ad269cef59bb07b5438d79bb3042d3be49bdeecf01c1cd6d29695ee066",
    "ETTh2": "a3dc2c597b9218c7ce1cd55eb77b283fd459a1d09d753063f944967dd6b9218b",
    "ETTm1": "6ce1759b1a18e3328421d5d75fadcb316c449fcd7cec32820c8dafda71986c9e",
    "ETTm2": "db973ca252c6410a30d0469b13d696cf919648d0f3fd588c60f03fdbdbadd1fd",
}

# The literature's splits ([1]'s Dataset_ETT_hour/minute): 12/4/4 months of 30 days.
# name prefix -> (train end, val end, test end), in rows.
BORDERS = {"ETTh": (8640, 11520, 14400), "ETTm": (34560, 46080, 57600)}


def ett_path(name: str, download: bool = True) -> Path:
    """The local path of ETT file ``name`` (ETTh1, ETTh2, ETTm1, ETTm2), downloading if needed."""
    if name not in ETT_FILES:
        raise DataError(
            f"name of the ETT benchmark must be one of {', '.join(ETT_FILES)}; got {name!r}. "
            "Mind the capitals.",
            param="name",
        )
    return dataset_file("ett", f"{name}.csv", ETT_FILES[name], URL.format(name=name), download)


def load_ett(name: str) -> pd.DataFrame:
    """The ETT file as a DataFrame indexed by ``date``, its 7 columns HUFL .. OT, all rows."""
    df = pd.read_csv(ett_path(name), parse_dates=["date"], index_col="date")
    return df.astype("float64")
